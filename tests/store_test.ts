import assert from "node:assert/strict";
import { cleanStore } from "../core/store/clean.ts";
import { initStore } from "../core/store/data_dir.ts";
import { allocateId, parseImageId } from "../core/store/ids.ts";
import { listImages } from "../core/store/list.ts";
import { deleteMap, getMap, setMap } from "../core/store/map.ts";
import { allImageIds, ancestry, nodePath, parentOf } from "../core/store/nodes.ts";
import { addLayer } from "../core/store/publish.ts";
import { purgeStore } from "../core/store/purge.ts";
import { removeImage } from "../core/store/remove.ts";
import { shrinkStore } from "../core/store/shrink.ts";
import { makeTmpDir, tmpOwnerAlive } from "../core/store/tmp.ts";

function freshStore(): string {
  const data = `${Deno.makeTempDirSync({ prefix: "plash-store-" })}/data`;
  initStore(data);
  return data;
}

function layerWith(data: string, files: Record<string, string>): string {
  const dir = makeTmpDir(data);
  for (const [name, text] of Object.entries(files)) Deno.writeTextFileSync(`${dir}/${name}`, text);
  return dir;
}

Deno.test("init lays out the plash store with relative links", () => {
  const data = freshStore();
  for (const dir of ["index", "map", "tmp", "mnt", "layer/0/_data/root"]) {
    assert.ok(Deno.statSync(`${data}/${dir}`).isDirectory, dir);
  }
  assert.equal(Deno.readLinkSync(`${data}/index/0`), "../layer/0");
  assert.equal(Deno.statSync(data).mode! & 0o777, 0o700);
  initStore(data); // a second init changes nothing and does not fail
});

Deno.test("images nest in their parents' nodes and know their ancestry", () => {
  const data = freshStore();
  const a = addLayer(data, 0, layerWith(data, { a: "1" }));
  const b = addLayer(data, a, layerWith(data, { b: "2" }));
  assert.deepEqual([a, b], [1, 2]);
  assert.equal(nodePath(data, b), `${data}/layer/0/1/2`);
  assert.equal(Deno.readLinkSync(`${data}/index/2`), "../layer/0/1/2");
  assert.deepEqual(ancestry(data, b), [0, 1, 2]);
  assert.equal(parentOf(data, b), 1);
  assert.equal(parentOf(data, 0), undefined);
  assert.equal(Deno.readTextFileSync(`${nodePath(data, b)}/_data/root/b`), "2");
  assert.throws(() => nodePath(data, 7), /no image: 7/);
  assert.throws(() => parseImageId("x1"), /image id must be a number, got: x1/);
  assert.deepEqual([...Deno.readDirSync(`${data}/tmp`)], []);
});

Deno.test("a child inherits and extends its parent's config", () => {
  const data = freshStore();
  const a = addLayer(data, 0, layerWith(data, {}), { env: { A: "1" }, cmd: ["/bin/a"] });
  const b = addLayer(data, a, layerWith(data, {}), { env: { B: "2" } });
  const config = JSON.parse(Deno.readTextFileSync(`${nodePath(data, b)}/_data/config.json`));
  assert.deepEqual(config.env, { A: "1", B: "2" });
  assert.deepEqual(config.cmd, ["/bin/a"]);
});

Deno.test("adding a layer on a missing image or from a missing dir publishes nothing", () => {
  const data = freshStore();
  assert.throws(() => addLayer(data, 5, layerWith(data, {})), /no image: 5/);
  assert.throws(() => addLayer(data, 0, `${data}/nope`), /no such layer directory/);
  assert.deepEqual(allImageIds(data), []);
  assert.deepEqual([...Deno.readDirSync(`${data}/index`)].map((e) => e.name), ["0"]);
});

Deno.test("map names images, survives any key text, and forgets removed images", () => {
  const data = freshStore();
  const a = addLayer(data, 0, layerWith(data, {}));
  const b = addLayer(data, a, layerWith(data, {}));
  setMap(data, "docker:alpine/x:3", b);
  setMap(data, "..", a);
  assert.equal(getMap(data, "docker:alpine/x:3"), b);
  assert.equal(getMap(data, ".."), a);
  assert.equal(Deno.readLinkSync(`${data}/map/docker:alpine%2Fx:3`), "../layer/0/1/2");
  setMap(data, "docker:alpine/x:3", a);
  assert.equal(getMap(data, "docker:alpine/x:3"), a);
  deleteMap(data, "..");
  deleteMap(data, "never-set");
  assert.equal(getMap(data, ".."), undefined);
  assert.throws(() => setMap(data, "", a), /empty map key/);
  assert.throws(() => setMap(data, "k", 9), /no image: 9/);
});

Deno.test("rm removes an image, its descendants and their names", () => {
  const data = freshStore();
  const a = addLayer(data, 0, layerWith(data, {}));
  const b = addLayer(data, a, layerWith(data, {}));
  const c = addLayer(data, b, layerWith(data, {}));
  const other = addLayer(data, 0, layerWith(data, {}));
  setMap(data, "c", c);
  setMap(data, "other", other);
  assert.deepEqual(removeImage(data, b).sort(), [b, c]);
  assert.deepEqual(allImageIds(data), [a, other]);
  assert.equal(getMap(data, "c"), undefined);
  assert.deepEqual([...Deno.readDirSync(`${data}/map`)].map((e) => e.name), ["other"]);
  assert.deepEqual([...Deno.readDirSync(`${data}/tmp`)], []);
  assert.throws(() => removeImage(data, 0), /cannot be removed/);
  assert.throws(() => removeImage(data, b), /no image/);
  // Ids are never handed out again.
  assert.equal(addLayer(data, 0, layerWith(data, {})), 5);
});

Deno.test("clean removes leftovers of dead processes only", async () => {
  const data = freshStore();
  const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    const live = makeTmpDir(data, sleeper.pid);
    const dead = `${data}/tmp/plashtmp_999999_1_1`;
    Deno.mkdirSync(dead);
    Deno.symlinkSync("../layer/0/77", `${data}/index/77`);
    Deno.symlinkSync("../layer/0/78", `${data}/map/gone`);
    assert.ok(tmpOwnerAlive(live.slice(live.lastIndexOf("/") + 1)));
    assert.deepEqual(cleanStore(data), { tmpDirs: 1, indexLinks: 1, mapLinks: 1 });
    assert.ok(Deno.statSync(live).isDirectory, "a live owner's dir stays");
    assert.throws(() => Deno.statSync(dead));
  } finally {
    sleeper.kill();
    await sleeper.status;
  }
  assert.deepEqual(cleanStore(data), { tmpDirs: 1, indexLinks: 0, mapLinks: 0 });
});

Deno.test("a pid reused by another process does not keep a tmp dir alive", () => {
  const data = freshStore();
  const dir = makeTmpDir(data);
  const name = dir.slice(dir.lastIndexOf("/") + 1);
  const forged = name.replace(/^plashtmp_(\d+)_(\d+)_/, (_, pid, start) => {
    return `plashtmp_${pid}_${Number(start) + 1}_`;
  });
  assert.ok(tmpOwnerAlive(name));
  assert.ok(!tmpOwnerAlive(forged));
});

Deno.test("shrink removes the oldest unnamed leaves, half of the images", () => {
  const data = freshStore();
  const a = addLayer(data, 0, layerWith(data, {}));
  const b = addLayer(data, a, layerWith(data, {}));
  const c = addLayer(data, 0, layerWith(data, {}));
  const d = addLayer(data, 0, layerWith(data, {}));
  setMap(data, "keep", b);
  assert.deepEqual(shrinkStore(data), [c, d]);
  assert.deepEqual(allImageIds(data), [a, b]);
});

Deno.test("ls describes each image", () => {
  const data = freshStore();
  const a = addLayer(data, 0, layerWith(data, { f: "12345" }));
  setMap(data, "five", a);
  const [info] = listImages(data);
  assert.equal(info.id, a);
  assert.equal(info.parent, 0);
  assert.deepEqual(info.names, ["five"]);
  assert.equal(info.size, 5);
  assert.ok(Date.now() - Date.parse(info.created) < 60_000);
});

Deno.test("the id counter only grows", () => {
  const data = freshStore();
  Deno.writeTextFileSync(`${data}/id_counter`, "9");
  assert.equal(allocateId(data), 10);
  assert.equal(Deno.readTextFileSync(`${data}/id_counter`), "10");
});

Deno.test("purge deletes the store but not through a mount", () => {
  const data = freshStore();
  purgeStore(data);
  assert.throws(() => Deno.statSync(data));
});
