import assert from "node:assert/strict";
import { oneLineError, TestStore } from "../support/plash.ts";
import { umount } from "../../ffi/sys.ts";
import { selfCommand } from "../../core/self_command.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const ROOT = Deno.uid() === 0;

Deno.test("mount without root points to plash sudo", { ignore: ROOT }, async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const id = await store.busybox();
  const result = await store.plash(["mount", id, dirs.make()]);
  assert.match(oneLineError(result), /^plash error: mount: .* run it inside `plash sudo`$/);
});

Deno.test(
  "mount shows an image on the host, read-only without a changes dir",
  { ignore: !ROOT },
  async () => {
    using store = new TestStore();
    using dirs = new TempDirs();
    const id = await store.busybox();
    const target = dirs.make();
    await store.ok(["mount", id, target]);
    try {
      assert.ok(Deno.statSync(`${target}/bin/busybox`).isFile);
      assert.throws(() => Deno.writeTextFileSync(`${target}/new`, "x"), /Read-only/);
    } finally {
      umount(target);
    }
  },
);

Deno.test("mount with a changes dir writes the changes there", { ignore: !ROOT }, async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const id = await store.busybox();
  const target = dirs.make();
  const changes = `${dirs.make()}/changes`;
  await store.ok(["mount", id, target, changes]);
  try {
    Deno.writeTextFileSync(`${target}/new`, "x");
    Deno.removeSync(`${target}/bin/vi`);
  } finally {
    umount(target);
  }
  assert.equal(Deno.readTextFileSync(`${changes}/data/new`), "x");
  assert.ok(Deno.lstatSync(`${changes}/data/bin/vi`).isCharDevice, "a whiteout");
  const layer = await store.ok(["add-layer", id, `${changes}/data`]);
  assert.equal(await store.ok(["run", layer, "cat", "/new"]), "x");
});

Deno.test("mount fails with one line for a missing mount point", { ignore: !ROOT }, async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const result = await store.plash(["mount", id, "/nonexistent/dir"]);
  assert.equal(
    oneLineError(result),
    "plash error: mount point is not a directory: /nonexistent/dir",
  );
});

Deno.test("with-mount runs a host command inside the mounted image", async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const output = await store.ok(["with-mount", id, "sh", "-c", "pwd; ls bin/busybox; touch x"]);
  assert.equal(output, `${store.data}/mnt/root\nbin/busybox`);
  assert.equal((await store.plash(["run", id, "ls", "/x"])).code, 1, "changes are discarded");
});

Deno.test("sudo and data run host commands", async () => {
  using store = new TestStore();
  assert.equal(
    await store.ok(["sudo", "id", "-u"]),
    "0",
    "root, or root of plash's user namespace",
  );
  assert.equal(await store.ok(["data"]), store.data);
  assert.equal(await store.ok(["data", "pwd"]), store.data);
  assert.equal(await store.ok(["data", "ls"]), "id_counter\nindex\nlayer\nmap\nmnt\ntmp");
});

Deno.test("mount without root works inside plash sudo", { ignore: ROOT }, async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const id = await store.busybox();
  const target = dirs.make();
  const plash = selfCommand([]).map((arg) => `'${arg}'`).join(" ");
  const script = `${plash} mount ${id} ${target} && ls ${target}/bin/busybox && umount ${target}`;
  assert.equal(await store.ok(["sudo", "sh", "-c", script]), `${target}/bin/busybox`);
});
