import assert from "node:assert/strict";
import { cleanStore } from "../../core/store/clean.ts";
import { Store } from "../../core/store/store.ts";
import { selfCommand } from "../../core/self_command.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const ADDER = new URL("../support/add_layers.ts", import.meta.url).pathname;

function adder(data: string, count: number, name: string, files = 1): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ADDER, String(count), name, String(files)],
    env: { PLASH_DATA: data },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Every visible image is whole: its layer and config are there and parse. */
function assertStoreWhole(store: Store): number[] {
  const ids = store.imageIds();
  for (const id of ids) {
    const node = store.node(id);
    const config = JSON.parse(Deno.readTextFileSync(`${node}/_data/config.json`));
    assert.match(config.env.LAYER, /^\w+-\d+$/);
    assert.ok(Deno.statSync(`${node}/_data/root`).isDirectory);
  }
  return ids;
}

Deno.test("8 processes adding layers and maps at once share no id and corrupt nothing", async () => {
  using dirs = new TempDirs();
  const store = Store.create(`${dirs.make()}/data`);
  const data = store.root;
  const names = Array.from({ length: 8 }, (_, i) => `p${i}`);
  const outputs = await Promise.all(names.map((name) => adder(data, 25, name).output()));
  const printed = outputs.flatMap((output) => {
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    return new TextDecoder().decode(output.stdout).trim().split("\n").map(Number);
  });
  assert.equal(printed.length, 200);
  assert.equal(new Set(printed).size, 200, "no id is handed out twice");
  assert.deepEqual(assertStoreWhole(store), [...printed].sort((a, b) => a - b));
  assert.equal(Deno.readTextFileSync(`${data}/id_counter`), "200");
  for (const name of names) {
    const latest = store.getMap(`${name}-latest`)!;
    const config = JSON.parse(Deno.readTextFileSync(`${store.node(latest)}/_data/config.json`));
    assert.equal(config.env.LAYER, `${name}-24`);
  }
  assert.deepEqual([...Deno.readDirSync(`${data}/tmp`)], []);
});

Deno.test("SIGKILL at any moment of adding layers leaves no visible half image", async () => {
  using dirs = new TempDirs();
  const store = Store.create(`${dirs.make()}/data`);
  const data = store.root;
  for (let round = 0; round < 12; round++) {
    const child = adder(data, 1000, `k${round}`, 50);
    // Kill at a different point of the add loop each round.
    await new Promise((resolve) => setTimeout(resolve, 150 + round * 37));
    child.kill("SIGKILL");
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");
    await child.stdout.cancel();
    await child.stderr.cancel();
    assertStoreWhole(store);
  }
  cleanStore(store);
  assert.deepEqual([...Deno.readDirSync(`${data}/tmp`)], [], "clean removes the leftovers");
  const ids = assertStoreWhole(store);
  for (const dir of ["index", "map"]) {
    for (const entry of Deno.readDirSync(`${data}/${dir}`)) {
      Deno.statSync(`${data}/${dir}/${entry.name}/_data`); // no dangling link is left
    }
  }
  assert.ok(ids.length > 0, "some layers were published before the kills");
});

Deno.test("concurrent rm of overlapping trees: each removes its image or says `no image: ID`", async () => {
  using dirs = new TempDirs();
  const store = Store.create(`${dirs.make()}/data`);
  const data = store.root;
  const rm = (id: number) =>
    new Deno.Command(Deno.execPath(), {
      args: selfCommand(["rm", String(id)]).slice(1),
      env: { PLASH_DATA: data },
      stdout: "null",
      stderr: "piped",
    }).output();
  for (let round = 0; round < 10; round++) {
    // A chain of 6 images, each with a few leaves and a name, so that the
    // removers' walks of descendants and their renames overlap.
    const chain: number[] = [];
    let parent = 0;
    for (let depth = 0; depth < 6; depth++) {
      parent = store.addLayer(parent, store.makeTmpDir());
      chain.push(parent);
      for (let leaf = 0; leaf < 5; leaf++) {
        store.setMap(`r${round}-${depth}-${leaf}`, store.addLayer(parent, store.makeTmpDir()));
      }
    }
    const targets = [chain[0], chain[1], chain[2], chain[3], chain[5], chain[5]];
    const outputs = await Promise.all(targets.map(rm));
    outputs.forEach((output, i) => {
      const stderr = new TextDecoder().decode(output.stderr);
      if (output.code === 0) assert.equal(stderr, "");
      else assert.equal(stderr, `plash error: no image: ${targets[i]}\n`, `round ${round}`);
    });
    assert.equal(outputs[0].code, 0, "the root of the tree was there for its remover");
    assert.deepEqual(store.imageIds(), [], `round ${round}: everything is gone`);
    assert.deepEqual([...Deno.readDirSync(`${data}/index`)].map((e) => e.name), ["0"]);
    assert.deepEqual([...Deno.readDirSync(`${data}/map`)], []);
    assert.deepEqual([...Deno.readDirSync(`${data}/tmp`)], []);
    assert.deepEqual([...Deno.readDirSync(`${data}/layer/0`)].map((e) => e.name), ["_data"]);
  }
});

const LOCKER = new URL("../support/lock_counter.ts", import.meta.url).pathname;

function locker(data: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", LOCKER, ...args],
    env: { PLASH_DATA: data },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test("store locks exclude across processes, also while their holders remove the lock file", async () => {
  using dirs = new TempDirs();
  const store = Store.create(`${dirs.make()}/data`);
  const counter = `${store.root}.counter`;
  Deno.writeTextFileSync(counter, "0");
  // Each release removes the lock file; a waiter on the removed file must not
  // take it for the lock while a newcomer holds the new file's.
  const outputs = await Promise.all(
    Array.from({ length: 6 }, () => locker(store.root, ["n", "40", counter]).output()),
  );
  for (const output of outputs) {
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  }
  assert.equal(Deno.readTextFileSync(counter), "240", "no increment was lost");
  assert.deepEqual([...Deno.readDirSync(store.tmpRoot)], [], "the last holder removed the file");
});

Deno.test("clean keeps a held lock file and removes one whose holder was killed with SIGKILL", async () => {
  using dirs = new TempDirs();
  const store = Store.create(`${dirs.make()}/data`);
  const holder = locker(store.root, ["k", "hold", "-"]);
  const reader = holder.stdout.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), "locked\n");
  const [left] = [...Deno.readDirSync(store.tmpRoot)].map((entry) => entry.name);
  assert.match(left, /^plashlock_[0-9a-f]{64}$/);
  assert.equal(cleanStore(store).lockFiles, 0, "a held lock stays");
  assert.deepEqual([...Deno.readDirSync(store.tmpRoot)].map((entry) => entry.name), [left]);
  holder.kill("SIGKILL");
  assert.equal((await holder.status).signal, "SIGKILL");
  reader.releaseLock();
  await holder.stdout.cancel();
  await holder.stderr.cancel();
  assert.equal(cleanStore(store).lockFiles, 1, "the killed holder's file goes");
  assert.deepEqual([...Deno.readDirSync(store.tmpRoot)], []);
  assert.equal(await store.withLock("k", () => Promise.resolve("taken")), "taken");
});
