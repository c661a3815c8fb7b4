import assert from "node:assert/strict";
import { selfCommand } from "../core/self_command.ts";
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

/** The lines of a doctor report by check name: [mark, detail]. */
function doctorLines(stdout: string): Map<string, [string, string]> {
  const lines = new Map<string, [string, string]>();
  for (const line of stdout.trim().split("\n")) {
    const match = /^(ok|warn|FAIL) +([^:]+): (.*)$/.exec(line);
    assert.ok(match, `a doctor line: ${line}`);
    lines.set(match[2], [match[1], match[3]]);
  }
  return lines;
}

Deno.test("doctor reports what this host has, and its exit status follows its verdicts", async () => {
  using store = new TestStore();
  const report = await store.plash(["doctor"]);
  const lines = doctorLines(report.stdout);
  assert.equal(report.code, [...lines.values()].some(([mark]) => mark === "FAIL") ? 1 : 0);
  assert.match(
    lines.get("kernel")![1],
    new RegExp(`^Linux ${Deno.osRelease().replaceAll(".", "\\.")}`),
  );
  const ldd = new TextDecoder().decode(
    new Deno.Command("ldd", { args: ["--version"] }).outputSync().stdout,
  );
  const glibc = /(\d+\.\d+)\s*$/m.exec(ldd.split("\n")[0])![1];
  assert.match(
    lines.get("libc")![1],
    new RegExp(`^glibc ${glibc.replace(".", "\\.")}, FFI works$`),
  );
  assert.match(lines.get("free space")![1], new RegExp(` GB free for ${store.data}$`));
  // What the probe says is what mounting an overlay in the data dir really does.
  const mounting = lines.get("mounting")!;
  const probe = await store.plash(["probe-overlay"]);
  assert.equal(mounting[0], probe.code === 0 ? "ok" : "FAIL");
});

Deno.test("doctor fails, with the fix, without CAP_SYS_ADMIN", { ignore: !ROOT }, async () => {
  using store = new TestStore();
  const restricted = await withoutSysAdmin(store, ["doctor"]);
  assert.equal(restricted.code, 1);
  assert.match(restricted.stdout, /^warn {2}CAP_SYS_ADMIN: .*fix: .*PLASH_NO_UNSHARE=1$/m);
  assert.match(
    restricted.stdout,
    /^FAIL {2}mounting: unshare CLONE_NEWNS: Operation not permitted/m,
  );
});

Deno.test("doctor fails where the data dir cannot hold an overlay's layers", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  // A data dir made, then its filesystem made read-only, in a mount namespace of the test's own.
  const [doctor, init] = [["doctor"], ["init"]].map((args) =>
    selfCommand(args).map((word) => `'${word}'`).join(" ")
  );
  const script = `mkdir -p ${store.data}.ro && mount -t tmpfs plash-test ${store.data}.ro && ` +
    `export PLASH_DATA=${store.data}.ro/data && ${init} && ` +
    `mount -o remount,ro ${store.data}.ro && ${doctor}`;
  const result = await store.spawn([
    "unshare",
    "-m",
    "--propagation",
    "private",
    "sh",
    "-c",
    script,
  ]);
  assert.equal(result.code, 1);
  const mounting = doctorLines(result.stdout).get("mounting")!;
  assert.equal(mounting[0], "FAIL");
  assert.match(mounting[1], /Read-only file system/);
});
