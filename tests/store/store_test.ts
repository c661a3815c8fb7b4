import assert from "node:assert/strict";
import { cleanStore } from "../../core/store/clean.ts";
import { parseImageId } from "../../core/store/ids.ts";
import { listImages } from "../../core/store/list.ts";
import { keyFileName, keyFromFileName } from "../../core/store/map.ts";
import { purgeStore } from "../../core/store/purge.ts";
import { removeImage } from "../../core/store/remove.ts";
import { shrinkStore } from "../../core/store/shrink.ts";
import { Store } from "../../core/store/store.ts";
import { tmpOwnerAlive } from "../../core/store/tmp.ts";
import { selfCommand } from "../../core/self_command.ts";
import { runCommand } from "../support/command.ts";
import { TempDirs } from "../support/temp_dirs.ts";

function freshStore(temp: TempDirs): Store {
  return Store.create(`${temp.make("plash-store-")}/data`);
}

/** Runs plash on the store at `data`. */
function plashIn(data: string, args: string[]) {
  const [program, ...rest] = selfCommand(args);
  return runCommand(program, rest, { env: { PLASH_DATA: data } });
}

function layerWith(store: Store, files: Record<string, string>): string {
  const dir = store.makeTmpDir();
  for (const [name, text] of Object.entries(files)) Deno.writeTextFileSync(`${dir}/${name}`, text);
  return dir;
}

Deno.test("init lays out the plash store with relative links", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const data = store.root;
  for (const dir of ["index", "map", "tmp", "mnt", "layer/0/_data/root"]) {
    assert.ok(Deno.statSync(`${data}/${dir}`).isDirectory, dir);
  }
  assert.equal(Deno.readLinkSync(`${data}/index/0`), "../layer/0");
  assert.equal(Deno.statSync(data).mode! & 0o777, 0o700);
  store.init(); // a second init changes nothing and does not fail
});

Deno.test("images nest in their parents' nodes and know their ancestry", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const data = store.root;
  const a = store.addLayer(0, layerWith(store, { a: "1" }));
  const b = store.addLayer(a, layerWith(store, { b: "2" }));
  assert.deepEqual([a, b], [1, 2]);
  assert.equal(store.node(b), `${data}/layer/0/1/2`);
  assert.equal(Deno.readLinkSync(`${data}/index/2`), "../layer/0/1/2");
  assert.deepEqual(store.chain(b), [0, 1, 2]);
  assert.equal(store.parent(b), 1);
  assert.equal(store.parent(0), undefined);
  assert.equal(Deno.readTextFileSync(`${store.node(b)}/_data/root/b`), "2");
  assert.throws(() => store.node(7), /no image: 7/);
  assert.throws(() => parseImageId("x1"), /image arg must be a positive number, got: x1/);
  assert.throws(() => parseImageId("0"), /image must not be the special root image \('0'\)/);
  assert.equal(parseImageId("0", { allowRoot: true }), 0);
  assert.deepEqual([...Deno.readDirSync(`${data}/tmp`)], []);
});

Deno.test("a child inherits and extends its parent's config", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const a = store.addLayer(0, layerWith(store, {}), { env: { A: "1" }, cmd: ["/bin/a"] });
  const b = store.addLayer(a, layerWith(store, {}), { env: { B: "2" } });
  const config = JSON.parse(Deno.readTextFileSync(`${store.node(b)}/_data/config.json`));
  assert.deepEqual(config.env, { A: "1", B: "2" });
  assert.deepEqual(config.cmd, ["/bin/a"]);
});

Deno.test("image looks an image up once: its chain and config, and no image without its node", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const a = store.addLayer(0, layerWith(store, {}), { env: { A: "1" } });
  assert.deepEqual(store.image(a), { chain: [0, a], config: store.config(a) });
  assert.equal(store.image(a).config.env?.A, "1");
  // A node without a config declares nothing; one whose node is gone (the index link
  // dangling, as while another process removes it) is no image.
  Deno.removeSync(`${store.node(a)}/_data/config.json`);
  assert.deepEqual(store.image(a), { chain: [0, a], config: {} });
  const node = store.node(a);
  Deno.renameSync(node, `${node}.gone`);
  assert.throws(() => store.image(a), /no image: /);
  assert.throws(() => store.image(a + 1), /no image: /);
});

Deno.test("adding a layer on a missing image or from a missing dir publishes nothing", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const data = store.root;
  assert.throws(() => store.addLayer(5, layerWith(store, {})), /no image: 5/);
  assert.throws(() => store.addLayer(0, `${data}/nope`), /no such layer directory/);
  assert.deepEqual(store.imageIds(), []);
  assert.deepEqual([...Deno.readDirSync(`${data}/index`)].map((e) => e.name), ["0"]);
});

Deno.test("map names images, survives any key text, and forgets removed images", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const data = store.root;
  const a = store.addLayer(0, layerWith(store, {}));
  const b = store.addLayer(a, layerWith(store, {}));
  store.setMap("docker:alpine/x:3", b);
  store.setMap("..", a);
  assert.equal(store.getMap("docker:alpine/x:3"), b);
  assert.equal(store.getMap(".."), a);
  assert.equal(Deno.readLinkSync(`${data}/map/docker:alpine%2Fx:3`), "../layer/0/1/2");
  store.setMap("docker:alpine/x:3", a);
  assert.equal(store.getMap("docker:alpine/x:3"), a);
  store.deleteMap("..");
  store.deleteMap("never-set");
  assert.equal(store.getMap(".."), undefined);
  assert.throws(() => store.setMap("", a), /empty map key/);
  assert.throws(() => store.setMap("k", 9), /no image: 9/);
});

Deno.test("rm removes an image, its descendants and their names", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const data = store.root;
  const a = store.addLayer(0, layerWith(store, {}));
  const b = store.addLayer(a, layerWith(store, {}));
  const c = store.addLayer(b, layerWith(store, {}));
  const other = store.addLayer(0, layerWith(store, {}));
  store.setMap("c", c);
  store.setMap("other", other);
  assert.deepEqual(removeImage(store, b).sort(), [b, c]);
  assert.deepEqual(store.imageIds(), [a, other]);
  assert.equal(store.getMap("c"), undefined);
  assert.deepEqual([...Deno.readDirSync(`${data}/map`)].map((e) => e.name), ["other"]);
  assert.deepEqual([...Deno.readDirSync(`${data}/tmp`)], []);
  assert.throws(() => removeImage(store, 0), /cannot be removed/);
  assert.throws(() => removeImage(store, b), /no image/);
  // Ids are never handed out again.
  assert.equal(store.addLayer(0, layerWith(store, {})), 5);
});

Deno.test("clean removes leftovers of dead processes only", async () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const data = store.root;
  const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    const live = store.makeTmpDir(sleeper.pid);
    const dead = `${data}/tmp/plashtmp_999999_1_1`;
    Deno.mkdirSync(dead);
    Deno.symlinkSync("../layer/0/77", `${data}/index/77`);
    Deno.symlinkSync("../layer/0/78", `${data}/map/gone`);
    assert.ok(tmpOwnerAlive(live.slice(live.lastIndexOf("/") + 1)));
    assert.deepEqual(cleanStore(store), { tmpDirs: 1, lockFiles: 0, indexLinks: 1, mapLinks: 1 });
    assert.ok(Deno.statSync(live).isDirectory, "a live owner's dir stays");
    assert.throws(() => Deno.statSync(dead));
  } finally {
    sleeper.kill();
    await sleeper.status;
  }
  assert.deepEqual(cleanStore(store), { tmpDirs: 1, lockFiles: 0, indexLinks: 0, mapLinks: 0 });
});

Deno.test("a pid reused by another process does not keep a tmp dir alive", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const dir = store.makeTmpDir();
  const name = dir.slice(dir.lastIndexOf("/") + 1);
  const forged = name.replace(/^plashtmp_(\d+)_(\d+)_/, (_, pid, start) => {
    return `plashtmp_${pid}_${Number(start) + 1}_`;
  });
  assert.ok(tmpOwnerAlive(name));
  assert.ok(!tmpOwnerAlive(forged));
});

Deno.test("shrink removes the oldest unnamed leaves, half of the images", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const a = store.addLayer(0, layerWith(store, {}));
  const b = store.addLayer(a, layerWith(store, {}));
  const c = store.addLayer(0, layerWith(store, {}));
  const d = store.addLayer(0, layerWith(store, {}));
  store.setMap("keep", b);
  assert.deepEqual(shrinkStore(store), [c, d]);
  assert.deepEqual(store.imageIds(), [a, b]);
});

Deno.test("ls describes each image", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const a = store.addLayer(0, layerWith(store, { f: "12345" }));
  store.setMap("five", a);
  const [info] = listImages(store);
  assert.equal(info.id, a);
  assert.equal(info.parent, 0);
  assert.deepEqual(info.names, ["five"]);
  assert.equal(info.size, 5);
  assert.ok(Date.now() - Date.parse(info.created) < 60_000);
});

Deno.test("the id counter only grows", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const data = store.root;
  Deno.writeTextFileSync(`${data}/id_counter`, "9");
  assert.equal(store.allocateId(), 10);
  assert.equal(Deno.readTextFileSync(`${data}/id_counter`), "10");
});

Deno.test("purge deletes what plash keeps in the store, not the data directory", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  store.addLayer(0, layerWith(store, { a: "1" }));
  // What a Dockerfile's RUN --mount=type=cache keeps, and the mount-less mode's notice marker.
  Deno.mkdirSync(`${store.root}/bud-cache/apt`, { recursive: true });
  Deno.writeTextFileSync(`${store.root}/mountless`, "no CAP_SYS_ADMIN\n");
  purgeStore(store);
  assert.deepEqual([...Deno.readDirSync(store.root)], []);
  assert.throws(() => Store.open(store.root), /run `plash init`/);
});

Deno.test("purge refuses while something is mounted in the store, deleting nothing", {
  ignore: Deno.uid() !== 0,
}, async () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const id = store.addLayer(0, layerWith(store, { a: "1" }));
  // In a mount namespace of its own: a tmpfs on the store's mnt/, with a file on it, then purge.
  const purge = selfCommand(["purge", "--yes"]).map((word) => `'${word}'`).join(" ");
  const script =
    `mount -t tmpfs plash-test ${store.mountRoot} && touch ${store.mountRoot}/kept && ` +
    `PLASH_DATA=${store.root} ${purge}; echo "purge: $?"; ls ${store.mountRoot}`;
  const result = await runCommand("unshare", [
    "-m",
    "--propagation",
    "private",
    "sh",
    "-c",
    script,
  ]);
  const output = new TextDecoder().decode(result.stdout);
  assert.match(result.stderr, /^plash error: .*\/mnt is mounted inside .*: unmount it first\n$/);
  assert.equal(output, "purge: 1\nkept\n", "the mounted file was not deleted");
  assert.deepEqual(store.imageIds(), [id], "the store is whole");
  purgeStore(store);
});

Deno.test("ids are read as text: a number past 2^53 is no id, never rounded into another", async () => {
  for (const text of ["9007199254740993", "999999999999999999999", "9007199254740992"]) {
    assert.throws(() => parseImageId(text), new RegExp(`image id too large, got: ${text}$`));
  }
  assert.equal(parseImageId("9007199254740991"), Number.MAX_SAFE_INTEGER);
  using temp = new TempDirs();
  const store = freshStore(temp);
  const data = store.root;
  const a = store.addLayer(0, layerWith(store, {}));
  // Names in the store that Number() would round to 9007199254740992.
  Deno.mkdirSync(`${data}/layer/0/9007199254740993/_data/root`, { recursive: true });
  Deno.symlinkSync("../layer/0/9007199254740993", `${data}/index/9007199254740993`);
  Deno.symlinkSync("../layer/0/9007199254740993", `${data}/map/big`);
  Deno.symlinkSync("../layer/0/1", `${data}/index/01`);
  assert.deepEqual(store.imageIds(), [a]);
  assert.equal(store.getMap("big"), undefined);
  assert.deepEqual(store.mapEntries(), []);
  Deno.removeSync(`${data}/index/${a}`);
  Deno.symlinkSync("../layer/0/9007199254740993", `${data}/index/${a}`);
  assert.throws(
    () => store.chain(a),
    /corrupt store: .*index\/1 links to \.\.\/layer\/0\/9007199254740993/,
  );
  const result = await plashIn(data, ["rm", "9007199254740993"]);
  assert.notEqual(result.code, 0);
  assert.equal(result.stderr, "plash error: image id too large, got: 9007199254740993\n");
});

Deno.test("a store made by the original plash, with map keys stored verbatim, works", async () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const data = store.root;
  const a = store.addLayer(0, layerWith(store, {}));
  const b = store.addLayer(0, layerWith(store, {}));
  const c = store.addLayer(0, layerWith(store, {}));
  const d = store.addLayer(0, layerWith(store, {}));
  for (const key of ["%", "%2F", "%2E", "..", ".%2E", "a/b%", "50%25", "%%2F/"]) {
    assert.equal(keyFromFileName(keyFileName(key)), key, key);
  }
  // What the original plash's `map KEY ID` left: the key itself as the file name.
  Deno.symlinkSync(`../layer/0/${a}`, `${data}/map/50%`);
  Deno.symlinkSync(`../layer/0/${b}`, `${data}/map/.dot`);
  Deno.symlinkSync(`../layer/0/${c}`, `${data}/map/a%20b`);
  const names = await plashIn(data, ["ls", "--json"]);
  assert.equal(names.stderr, "");
  assert.deepEqual(
    JSON.parse(new TextDecoder().decode(names.stdout)).map((image: { names: string[] }) =>
      image.names
    ),
    [["50%"], [".dot"], ["a%20b"], []],
  );
  for (const [key, id] of [["50%", a], [".dot", b], ["a%20b", c]] as const) {
    assert.equal(store.getMap(key), id, key);
    assert.equal(new TextDecoder().decode((await plashIn(data, ["map", key])).stdout), `${id}\n`);
  }
  // shrink keeps the named images: only d goes.
  const shrink = await plashIn(data, ["shrink"]);
  assert.equal(shrink.stderr, `removed images: ${d}\n`);
  assert.equal(shrink.code, 0);
  assert.deepEqual(store.imageIds(), [a, b, c]);
  // Removing an image removes its verbatim names; unmapping removes the verbatim name.
  const rm = await plashIn(data, ["rm", String(b)]);
  assert.equal(rm.stderr, "");
  assert.equal((await plashIn(data, ["map", "50%", ""])).code, 0);
  assert.equal(store.getMap("50%"), undefined);
  // A verbatim name that is plash's escape of another key is that key's only.
  store.setMap("x/y", a);
  store.setMap("x%2Fy", c);
  assert.deepEqual([store.getMap("x/y"), store.getMap("x%2Fy")], [a, c]);
  store.deleteMap("x%2Fy");
  assert.equal(store.getMap("x/y"), a, "x/y is not x%2Fy");
  assert.equal(store.getMap("x%2Fy"), undefined);
  store.deleteMap("x/y");
  // Mapping a key again stores plash's escaped name, in place of the verbatim one.
  store.setMap("a%20b", a);
  assert.deepEqual([...Deno.readDirSync(`${data}/map`)].map((e) => e.name), ["a%2520b"]);
  assert.deepEqual(store.mapEntries().map((entry) => [entry.key, entry.id]), [["a%20b", a]]);
});
