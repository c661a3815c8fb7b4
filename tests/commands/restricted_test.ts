import assert from "node:assert/strict";
import { selfCommand } from "../../core/self_command.ts";
import { BUILD } from "../support/export_image.ts";
import { layerEntries } from "../support/oci_layers.ts";
import { oneLineError, type Result, TestStore } from "../support/plash.ts";
import { manifest } from "../support/tar_fixtures.ts";

const ROOT = Deno.uid() === 0;

/** plash run as root with CAP_SYS_ADMIN dropped, as in docker's default capabilities. */
function withoutSysAdmin(store: TestStore, args: string[], env = {}): Promise<Result> {
  return store.plash(args, {
    env,
    prefix: ["setpriv", "--inh-caps=-sys_admin", "--bounding-set=-sys_admin"],
  });
}

/** The notice a store's first use without mounts gives, once. */
const NOTICE = /^plash: no mounts here \(root without CAP_SYS_ADMIN cannot mount\)/;

Deno.test("without CAP_SYS_ADMIN run picks the mount-less mode: a private copy per run", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const id = await store.ok(["create", base, "sh", "-c", "echo top > /top; rm /bin/vi"]);
  const layers = [base, id].map(async (image) => `${await store.ok(["nodepath", image])}/_data`);
  const before = await Promise.all(layers.map(async (dir) => manifest(await dir)));
  const first = await withoutSysAdmin(store, [
    "run",
    id,
    "sh",
    "-c",
    "echo more >> /top; sed -i s/top/changed/ /top; echo new > /new; cat /top; ls /dev; exit 7",
  ]);
  assert.equal(first.code, 7, "the command's exit status");
  assert.equal(first.stdout, "changed\nmore\nfull\nnull\nrandom\ntty\nurandom\nzero\n");
  assert.match(first.stderr, NOTICE);
  const second = await withoutSysAdmin(store, ["run", id, "sh", "-c", "cat /top; ls /new /bin/vi"]);
  assert.equal(second.stdout, "top\n", "an in-place write left the image as it was");
  assert.match(second.stderr, /\/new: No such file/, "a new file did not survive the run");
  assert.match(second.stderr, /\/bin\/vi: No such file/, "whiteouts hide in the copy too");
  assert.doesNotMatch(second.stderr, NOTICE, "said once per store");
  assert.deepEqual(
    await Promise.all(layers.map(async (dir) => manifest(await dir))),
    before,
    "no layer was written",
  );
  // Only the run's copy, reverted and pooled for the next run (the pool of warm copies).
  assert.deepEqual(
    [...Deno.readDirSync(`${store.data}/tmp`)].map((e) => e.name.replace(/_.*/, "")),
    ["plashwarm"],
  );
});

Deno.test("without CAP_SYS_ADMIN run --changes keeps the changes as overlay's upper layer", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const changes = `${store.data}.changes`;
  await withoutSysAdmin(store, [
    "run",
    "--changes",
    changes,
    id,
    "sh",
    "-c",
    "rm /bin/vi; echo x > /x",
  ]);
  assert.equal(Deno.readTextFileSync(`${changes}/data/x`), "x\n");
  const whiteout = Deno.lstatSync(`${changes}/data/bin/vi`);
  assert.ok(whiteout.isCharDevice && whiteout.rdev === 0, "a whiteout");
  assert.deepEqual(
    [...Deno.readDirSync(`${changes}/data`)].map((e) => e.name).sort(),
    // etc: where the host's resolv.conf was lent, as a run with mounts makes its mount point.
    ["bin", "etc", "x"],
  );
  // -w makes a missing directory in the copy, as with mounts.
  const workdir = await withoutSysAdmin(store, ["run", "-w", "/made/here", id, "pwd"]);
  assert.equal(workdir.stdout, "/made/here\n", workdir.stderr);
});

Deno.test("without CAP_SYS_ADMIN mount, with-mount and runc say in one line they need mounts", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const id = await store.busybox();
  // An image that binds a host path (--mount) cannot run there.
  const binding = await store.ok(["build", "-f", id, "--mount", `${store.data}:/x`]);
  const bound = await withoutSysAdmin(store, ["run", binding, "true"]);
  assert.equal(bound.code, 1);
  assert.match(
    oneLineError(bound),
    new RegExp(
      `^plash error: image ${binding} binds ${store.data} \\(--mount\\): a bind is a mount`,
      "m",
    ),
  );
  // sudo has nothing to keep from the host's mount namespace there: it makes none.
  const sudo = await withoutSysAdmin(store, ["sudo", "true"]);
  assert.deepEqual([sudo.code, sudo.stderr], [0, ""]);
  for (
    const args of [["mount", id, store.data], ["with-mount", id, "true"], ["runc", id, "true"]]
  ) {
    const result = await withoutSysAdmin(store, args);
    assert.equal(result.code, 1);
    assert.match(
      oneLineError(result),
      new RegExp(`^plash error: ${args[0]} needs mounts: root without CAP_SYS_ADMIN`),
    );
  }
});

Deno.test("a mount-less run's plash killed leaves its copy to plash clean", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const [program, ...args] = selfCommand(["run", id, "sleep", "60"]);
  const plash = new Deno.Command("setpriv", {
    args: ["--inh-caps=-sys_admin", "--bounding-set=-sys_admin", program, ...args],
    env: { PLASH_DATA: store.data },
    stderr: "null",
  }).spawn();
  // The command runs once plash has a child: its copy is made.
  let sleeper: number | undefined;
  for (let tries = 0; sleeper === undefined && tries < 300; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    sleeper = childrenOf(plash.pid)[0];
  }
  if (sleeper === undefined) {
    plash.kill("SIGKILL");
    await plash.status;
    assert.fail("plash started no child");
  }
  plash.kill("SIGKILL");
  await plash.status;
  try {
    const tmp = () => [...Deno.readDirSync(`${store.data}/tmp`)].filter((e) => e.isDirectory);
    assert.equal(tmp().length, 1, "the copy is left");
    const clean = await store.plash(["clean"]);
    assert.match(clean.stderr, /^removed 1 temporary dirs/);
    assert.deepEqual(tmp(), []);
  } finally {
    Deno.kill(sleeper, "SIGKILL");
  }
});

/** The pids of the children of process `pid`'s threads. */
function childrenOf(pid: number): number[] {
  return [...Deno.readDirSync(`/proc/${pid}/task`)].flatMap(({ name }) =>
    Deno.readTextFileSync(`/proc/${pid}/task/${name}/children`).trim().split(" ")
      .filter(Boolean).map(Number)
  );
}

Deno.test("a build without mounts makes the layers, and cache keys, a build with mounts makes", {
  ignore: !ROOT,
}, async () => {
  using mounted = new TestStore();
  using mountless = new TestStore();
  const layouts = [];
  for (const store of [mounted, mountless]) {
    const base = await store.busybox();
    const args = ["build", "--from", base, ...BUILD];
    // From / (see hostLayers in support/container_round.ts): the checkout's path stays out.
    const built = store === mounted
      ? await store.plash(args, { cwd: "/" })
      : await withoutSysAdmin(store, args);
    assert.equal(built.code, 0, built.stderr);
    const layout = `${store.data}.layout`;
    await store.ok(["export-oci", built.stdout.trim(), layout]);
    layouts.push(await layerEntries(layout));
  }
  assert.equal(layouts[1].length, 3);
  assert.deepEqual(layouts[1], layouts[0]);
  const keys = (store: TestStore) =>
    [...Deno.readDirSync(`${store.data}/map`)].map((entry) => entry.name).sort();
  assert.deepEqual(keys(mountless), keys(mounted));
  // A fully cached build without mounts runs nothing and copies nothing.
  const again = await withoutSysAdmin(mountless, ["build", "--from", "1", ...BUILD]);
  assert.equal(again.stderr, "");
});

Deno.test("without CAP_SYS_ADMIN the steps of a build share one copy of the image", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const base = await store.busybox();
  // /dev is in no layer: the second step finds the file only in the first step's copy.
  const build = [
    "build",
    "-f",
    base,
    "--run",
    "touch /dev/from-step-1",
    "--layer",
    "--env",
    "A=1",
    "--layer",
    "--run",
    "test -e /dev/from-step-1",
  ];
  const built = await withoutSysAdmin(store, build);
  assert.equal(built.code, 0, built.stderr);
  const layer = `${await store.ok(["nodepath", built.stdout.trim()])}/_data/root`;
  // etc: the mount point of the lent resolv.conf, as with mounts.
  assert.deepEqual([...Deno.readDirSync(layer)].map((e) => e.name), ["etc"]);
});

Deno.test("without CAP_SYS_ADMIN a failing build step fails with its own error, nothing left", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const failed = await withoutSysAdmin(store, [
    "build",
    "--from",
    base,
    "--run",
    "echo ok > /ok",
    "--layer",
    "--run",
    "cat /proc/self/status",
  ]);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /cat: can't open '\/proc\/self\/status': No such file/);
  assert.match(
    failed.stderr,
    /^plash error: build: layer 2 failed in image \d+ with exit status 1$/m,
  );
  // The failed step's copy, reverted and pooled, alone.
  assert.deepEqual(
    [...Deno.readDirSync(`${store.data}/tmp`)].filter((e) => !e.name.startsWith("plashwarm_"))
      .filter((e) => e.isDirectory),
    [],
  );
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

Deno.test("doctor says without CAP_SYS_ADMIN that plash runs without mounts, and what lacks", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const restricted = await withoutSysAdmin(store, ["doctor"]);
  assert.equal(restricted.code, 0, "plash works there");
  assert.match(restricted.stdout, /^warn {2}CAP_SYS_ADMIN: .*fix: .*--cap-add SYS_ADMIN/m);
  assert.match(
    restricted.stdout,
    /^warn {2}mode: mount-less \(root without CAP_SYS_ADMIN cannot mount\): .*no \/proc.*up to 2 copies stay/m,
  );
  assert.match(
    restricted.stdout,
    /^warn {2}mounting: unshare CLONE_NEWNS: Operation not permitted/m,
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
