import assert from "node:assert/strict";
import { oneLineError, TestStore } from "../support/plash.ts";

Deno.test("create keeps the command's changes as a new image and prints only its id", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const result = await store.plash([
    "create",
    base,
    "sh",
    "-c",
    "echo building; echo hi > /greeting; rm /bin/vi; mkdir -p /opt/x",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^\d+\n$/);
  assert.equal(result.stderr, "building\n");
  const id = result.stdout.trim();
  assert.equal(await store.ok(["parent", id]), base);
  assert.equal(await store.ok(["run", id, "cat", "/greeting"]), "hi");
  const removed = await store.plash(["run", id, "ls", "/bin/vi"]);
  assert.equal(removed.code, 1, "the deletion is a whiteout in the new layer");
  assert.equal(await store.ok(["run", base, "ls", "/bin/vi"]), "/bin/vi", "the base is unchanged");
  const layer = `${await store.ok(["nodepath", id])}/_data/root`;
  const names = [...Deno.readDirSync(layer)].map((entry) => entry.name).sort();
  assert.deepEqual(names, ["bin", "etc", "greeting", "opt"], "no mount points of the run");
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
});

Deno.test("a mount point the image lacks is not kept in the created layer", async () => {
  using store = new TestStore();
  const bare = `${store.data}.bare`;
  Deno.mkdirSync(`${bare}/bin`, { recursive: true });
  Deno.copyFileSync("/bin/busybox", `${bare}/bin/busybox`);
  Deno.chmodSync(`${bare}/bin/busybox`, 0o755);
  Deno.symlinkSync("busybox", `${bare}/bin/sh`);
  const base = await store.ok(["add-layer", "0", bare]);
  const id = await store.ok(["create", base, "/bin/busybox", "touch", "/file"]);
  const layer = `${await store.ok(["nodepath", id])}/_data/root`;
  assert.deepEqual([...Deno.readDirSync(layer)].map((entry) => entry.name), ["file"]);
});

Deno.test("a failing create makes no image and exits with the command's status", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const before = await store.ok(["ls", "--json"]);
  const result = await store.plash(["create", base, "sh", "-c", "touch /x; exit 3"]);
  assert.equal(result.code, 3);
  assert.equal(
    oneLineError(result),
    `plash error: create: sh failed in image ${base} with exit status 3`,
  );
  assert.equal(await store.ok(["ls", "--json"]), before);
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
  const missing = await store.plash(["create", base, "no-such-command"]);
  assert.equal(missing.code, 127);
});

Deno.test("clean leaves a running create's changes alone", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const creating = store.plash(["create", base, "sh", "-c", "sleep 1; echo done > /result"]);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await store.ok(["clean"]);
  const result = await creating;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await store.ok(["run", result.stdout.trim(), "cat", "/result"]), "done");
});
