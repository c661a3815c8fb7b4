/**
 * Commands beside other plash processes on one store, each race made to
 * happen: every failure is one `plash error:` line naming the image, and a
 * writer takes what another one removed first as done.
 */

import assert from "node:assert/strict";
import { exists } from "../../ffi/sys.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";

Deno.test("a command missing from the image: create and build say so in one line", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const created = await store.plash(["create", base, "no-such-command"]);
  assert.equal(created.code, 127, created.stderr);
  assert.equal(
    oneLineError(created),
    `plash error: no-such-command: command not found in image ${base}`,
  );
  // A build step runs under the image's /bin/sh: an image without one.
  const empty = Deno.makeTempDirSync({ dir: `${store.data}/tmp` });
  const bare = await store.ok(["add-layer", "0", empty]);
  const built = await store.plash(["build", "-q", "-f", bare, "--run", "true"]);
  assert.notEqual(built.code, 0);
  assert.match(
    oneLineError(built),
    new RegExp(`^plash error: .*command not found in image ${bare}$`),
  );
  assert.deepEqual(store.images.imageIds(), [Number(base), Number(bare)], "nothing was made");
});

Deno.test("create on an image removed while its command runs: `no image: ID (removed while ...)`", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const base = await store.busybox();
  const image = await store.ok(["create", base, "true"]);
  // The command waits in the container for the host's go, in the /tmp they share.
  const go = `${dirs.make("plash-race-")}/go`;
  const script = `touch ${go}.started; while [ ! -e ${go} ]; do sleep 0.05; done; echo x > /x`;
  const create = store.plash(["create", image, "sh", "-c", script]);
  while (!exists(`${go}.started`)) await new Promise((resolve) => setTimeout(resolve, 20));
  await store.ok(["rm", image]);
  Deno.writeTextFileSync(go, "");
  const result = await create;
  assert.equal(
    oneLineError(result),
    `plash error: no image: ${image} (removed while creating an image on it)`,
  );
  assert.deepEqual(store.images.imageIds(), [Number(base)], "no image was published on it");
});

Deno.test("ls and inspect while other processes remove images: a snapshot, never an error", async () => {
  using store = new TestStore();
  const kept = await store.busybox();
  for (let round = 0; round < 2; round++) {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const layer = Deno.makeTempDirSync({ dir: `${store.data}/tmp` });
      // Enough files that listing one takes a while.
      for (let file = 0; file < 300; file++) Deno.writeTextFileSync(`${layer}/${file}`, "x");
      ids.push(await store.ok(["add-layer", "0", layer]));
    }
    const [lists, inspects, removals] = await Promise.all([
      Promise.all(Array.from({ length: 3 }, () => store.plash(["ls", "--json"]))),
      Promise.all(ids.map((id) => store.plash(["inspect", id]))),
      Promise.all(ids.map((id) => store.plash(["rm", id]))),
    ]);
    for (const removal of removals) assert.equal(removal.code, 0, removal.stderr);
    for (const listed of lists) {
      assert.equal(listed.code, 0, `round ${round}: ${listed.stderr}`);
      const shown = JSON.parse(listed.stdout).map((image: { id: number }) => image.id);
      assert.ok(shown.includes(Number(kept)), "an image there all along is listed");
    }
    inspects.forEach((result, i) => {
      if (result.code === 0) return;
      assert.match(
        oneLineError(result),
        new RegExp(`^plash error: no image: ${ids[i]}( \\(removed while inspecting it\\))?$`),
      );
    });
  }
});

Deno.test("export-tar racing rm: the archive whole, or one line and no file", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const out = dirs.make("plash-export-");
  const layer = Deno.makeTempDirSync({ dir: `${store.data}/tmp` });
  for (let dir = 0; dir < 20; dir++) {
    Deno.mkdirSync(`${layer}/${dir}`);
    for (let file = 0; file < 100; file++) Deno.writeTextFileSync(`${layer}/${dir}/${file}`, "x");
  }
  const image = await store.ok(["add-layer", "0", layer]);
  const exporting = store.plash(["export-tar", image, `${out}/image.tar`]);
  // Removed once the export is writing its archive.
  while (!Deno.readDirSync(out).some((entry) => entry.name.includes(".plash-partial-"))) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await store.ok(["rm", image]);
  const result = await exporting;
  if (result.code === 0) return; // it had read every file before the rm
  assert.equal(
    oneLineError(result),
    `plash error: no image: ${image} (removed while exporting it)`,
  );
  assert.deepEqual([...Deno.readDirSync(out)], [], "no partial archive is left");
});

Deno.test("clean beside clean and rm: every one finishes its own work without an error", async () => {
  using store = new TestStore();
  for (let round = 0; round < 2; round++) {
    const ids = [];
    for (let i = 0; i < 8; i++) {
      const layer = Deno.makeTempDirSync({ dir: `${store.data}/tmp` });
      Deno.writeTextFileSync(`${layer}/file`, `${round} ${i}\n`);
      ids.push(await store.ok(["add-layer", "0", layer]));
    }
    // Leftovers for every clean to find: dangling index and map links.
    for (let i = 0; i < 20; i++) {
      Deno.symlinkSync(`../layer/0/${1000 + i}`, `${store.data}/index/${1000 + i}`);
      Deno.symlinkSync(`../layer/0/${1000 + i}`, `${store.data}/map/gone-${i}`);
    }
    for (const id of ids) await store.ok(["map", `name-${id}`, id]);
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => store.plash(["clean", "--quiet"])),
      ...ids.map((id) => store.plash(["rm", id])),
    ]);
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(store.images.imageIds(), [], `round ${round}: every image is gone`);
    assert.deepEqual([...Deno.readDirSync(`${store.data}/index`)].map((entry) => entry.name), [
      "0",
    ]);
    assert.deepEqual([...Deno.readDirSync(`${store.data}/map`)], []);
  }
});
