import assert from "node:assert/strict";
import { Store } from "../../core/store/store.ts";
import { oneLineError, TestStore } from "../support/plash.ts";

const ROOT = Deno.uid() === 0;
const TOP_DIRS = ["tmp", "layer", "map", "index", "mnt"];

const modeOf = (path: string) => Deno.lstatSync(path).mode! & 0o7777;
const namesIn = (dir: string) => [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();

Deno.test("init and every command make an existing data dir the caller's, mode 0700", async () => {
  using store = new TestStore();
  const data = store.data;
  // A store as plash made it before (dirs 0755, counter 0644), then opened up.
  Store.open(data);
  for (const dir of TOP_DIRS) Deno.chmodSync(`${data}/${dir}`, 0o755);
  Deno.chmodSync(`${data}/id_counter`, 0o644);
  Deno.chmodSync(data, 0o777);
  assert.equal((await store.plash(["init"])).stderr, "");
  assert.equal(modeOf(data), 0o700);
  for (const dir of TOP_DIRS) assert.equal(modeOf(`${data}/${dir}`), 0o700, dir);
  assert.equal(modeOf(`${data}/id_counter`), 0o600);
  // Any command does the same, and `init` on an existing empty directory too.
  Deno.chmodSync(data, 0o755);
  Deno.chmodSync(`${data}/tmp`, 0o1777);
  assert.equal((await store.plash(["ls"])).code, 0);
  assert.equal(modeOf(data), 0o700);
  assert.equal(modeOf(`${data}/tmp`), 0o700);
  const empty = `${data}.empty`;
  Deno.mkdirSync(empty, { mode: 0o777 });
  Deno.chmodSync(empty, 0o777);
  assert.equal((await store.plash(["init"], { env: { PLASH_DATA: empty } })).code, 0);
  assert.equal(modeOf(empty), 0o700);
  for (const dir of TOP_DIRS) assert.equal(modeOf(`${empty}/${dir}`), 0o700, dir);
  Deno.removeSync(empty, { recursive: true });
});

Deno.test("a data dir that is a symbolic link is refused in one line, nothing made", async () => {
  using store = new TestStore();
  const target = `${store.data}.target`;
  Deno.mkdirSync(target);
  const link = `${store.data}.link`;
  Deno.symlinkSync(target, link);
  const refusal = `plash error: refusing the data directory ${link}: it is a symbolic link`;
  for (const args of [["init"], ["ls"], ["clean"], ["map", "k"], ["purge", "--yes"]]) {
    const result = await store.plash(args, { env: { PLASH_DATA: link } });
    assert.notEqual(result.code, 0, args.join(" "));
    assert.equal(oneLineError(result), refusal, args.join(" "));
    assert.deepEqual(namesIn(target), [], `${args.join(" ")} made nothing`);
    assert.ok(Deno.lstatSync(link).isSymlink, `${args.join(" ")} kept the link`);
  }
  Deno.removeSync(link);
  Deno.removeSync(target);
});

Deno.test("tmp, layer, map, index, mnt or id_counter as a link are refused before use", async () => {
  using store = new TestStore();
  const data = store.data;
  const victim = `${data}.victim`;
  for (const name of [...TOP_DIRS, "id_counter"]) {
    Store.open(data);
    // What `clean` would remove from a tmp/ it followed: a dead owner's dir.
    Deno.mkdirSync(`${victim}/plashtmp_1_1_1`, { recursive: true });
    Deno.writeTextFileSync(`${victim}/keep`, "precious\n");
    const moved = `${data}.moved`;
    Deno.renameSync(`${data}/${name}`, moved);
    Deno.symlinkSync(name === "id_counter" ? `${victim}/keep` : victim, `${data}/${name}`);
    for (const args of [["clean"], ["init"], ["ls"]]) {
      const result = await store.plash(args);
      assert.notEqual(result.code, 0, `${name}: ${args[0]}`);
      assert.equal(
        oneLineError(result),
        `plash error: refusing the data directory ${data}: ${data}/${name} is a symbolic link`,
      );
      assert.deepEqual(namesIn(victim), ["keep", "plashtmp_1_1_1"], `${name}: ${args[0]}`);
      assert.equal(Deno.readTextFileSync(`${victim}/keep`), "precious\n");
    }
    Deno.removeSync(`${data}/${name}`);
    Deno.renameSync(moved, `${data}/${name}`);
    Deno.removeSync(victim, { recursive: true });
  }
});

Deno.test("a data dir or an entry of it owned by another user is refused, left as it was", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const data = store.data;
  Store.open(data);
  const other = 1001;
  for (const path of [data, `${data}/tmp`, `${data}/layer`, `${data}/id_counter`]) {
    Deno.chownSync(path, other, other);
    Deno.chmodSync(path, 0o755);
    const result = await store.plash(["clean"]);
    assert.notEqual(result.code, 0);
    const what = path === data ? "it" : path;
    assert.equal(
      oneLineError(result),
      `plash error: refusing the data directory ${data}: ${what} is owned by uid ${other}, not by uid 0`,
    );
    assert.equal(Deno.lstatSync(path).uid, other);
    assert.equal(modeOf(path), 0o755, "another user's mode is not changed");
    Deno.chownSync(path, 0, 0);
  }
  assert.equal((await store.plash(["clean"])).code, 0);
});

Deno.test("a user's plash refuses a data dir root owns", { ignore: ROOT }, async () => {
  using store = new TestStore();
  // Nothing is made or changed in it (a user could not, but plash must not try).
  const before = Deno.lstatSync("/etc");
  for (const args of [["ls"], ["init"], ["clean"], ["run", "1", "true"]]) {
    const result = await store.plash(args, { env: { PLASH_DATA: "/etc" } });
    assert.notEqual(result.code, 0);
    assert.match(
      oneLineError(result),
      /^plash error: refusing the data directory \/etc: it is owned by uid \d+, not by uid \d+$/,
    );
  }
  assert.equal(Deno.lstatSync("/etc").mode, before.mode);
});
