import assert from "node:assert/strict";
import { oneLineError, type Result, TestStore } from "./support/plash.ts";

const ROOT = Deno.uid() === 0;

/** plash run as root with CAP_SYS_ADMIN dropped, as in docker's default capabilities. */
function withoutSysAdmin(store: TestStore, args: string[], env = {}): Promise<Result> {
  return store.plash(args, {
    env,
    prefix: ["setpriv", "--inh-caps=-sys_admin", "--bounding-set=-sys_admin"],
  });
}

Deno.test("without CAP_SYS_ADMIN run fails with one line naming plash doctor", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const result = await withoutSysAdmin(store, ["run", id, "true"]);
  assert.equal(result.code, 1);
  assert.match(oneLineError(result), /unshare CLONE_NEWNS: Operation not permitted.*plash doctor/);
});

Deno.test("PLASH_NO_UNSHARE=1 runs by chroot alone, from a cached flat copy", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const id = await store.ok(["create", base, "sh", "-c", "echo top > /top; rm /bin/vi"]);
  const env = { PLASH_NO_UNSHARE: "1" };
  const first = await withoutSysAdmin(store, ["run", id, "sh", "-c", "cat /top; ls /bin/vi"], env);
  assert.equal(first.stdout, "top\n");
  assert.match(first.stderr, /\/bin\/vi: No such file/, "whiteouts hide in the flat copy too");
  const flat = `${await store.ok(["nodepath", id])}/_data/flat`;
  const inode = Deno.statSync(`${flat}/top`).ino;
  const layerFile = `${await store.ok(["nodepath", base])}/_data/root/bin/busybox`;
  assert.equal(Deno.statSync(`${flat}/bin/busybox`).ino, Deno.statSync(layerFile).ino, "a link");
  const second = await withoutSysAdmin(store, ["run", id, "cat", "/top"], env);
  assert.equal(second.stdout, "top\n");
  assert.equal(Deno.statSync(`${flat}/top`).ino, inode, "the flat copy is reused");
  const create = await withoutSysAdmin(store, ["create", id, "true"], env);
  assert.match(oneLineError(create), /PLASH_NO_UNSHARE=1 rules out/);
});

Deno.test("doctor passes here and fails, with the fix, without CAP_SYS_ADMIN", async () => {
  using store = new TestStore();
  const report = await store.plash(["doctor"]);
  assert.equal(report.code, 0, report.stdout);
  assert.match(report.stdout, /^ok {4}mounting: namespaces and an overlay mount in .* work$/m);
  for (const line of report.stdout.trim().split("\n")) assert.match(line, /^(ok|warn) /);
  if (!ROOT) return;
  const restricted = await withoutSysAdmin(store, ["doctor"]);
  assert.equal(restricted.code, 1);
  assert.match(restricted.stdout, /^warn {2}CAP_SYS_ADMIN: .*fix: .*PLASH_NO_UNSHARE=1$/m);
  assert.match(
    restricted.stdout,
    /^FAIL {2}mounting: unshare CLONE_NEWNS: Operation not permitted/m,
  );
});
