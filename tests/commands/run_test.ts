import assert from "node:assert/strict";
import { oneLineError, TestStore, usageFailure } from "../support/plash.ts";
import { selfCommand } from "../../core/self_command.ts";

Deno.test("run execs the command in the image and passes its output and status", async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const result = await store.plash(["run", id, "sh", "-c", "echo out; echo err >&2; exit 7"]);
  assert.equal(result.code, 7);
  assert.equal(result.stdout, "out\n");
  assert.equal(result.stderr, "err\n");
  const listing = await store.ok(["run", id, "ls", "/bin/busybox", "/etc/passwd"]);
  assert.equal(listing, "/bin/busybox\n/etc/passwd");
});

const ROOT = Deno.uid() === 0;

/** The pid of the container started by the plash process `pid`: itself as root, its child rootless. */
function containerPid(pid: number): number {
  if (ROOT) return pid;
  const children = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim();
  return Number(children.split(" ")[0]);
}

Deno.test("the container is plash's process (as root) or its child, and signals reach it", async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const child = store.start(["run", id, "sh", "-c", "echo $$; exec sleep 30"]);
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  const container = containerPid(child.pid);
  // $$ is 1 only in a pid namespace, which plash does not make; the host's pid shows.
  if (ROOT) assert.equal(Number(new TextDecoder().decode(value)), container);
  // The process is the container's sleep: its root is the image, not the host's.
  assert.match(Deno.readLinkSync(`/proc/${container}/root`), /\/mnt\/root$/);
  child.kill("SIGTERM");
  const status = await child.status;
  // Rootless plash passes the signal on and exits as the container did: 128 + 15.
  if (ROOT) assert.equal(status.signal, "SIGTERM");
  else assert.equal(status.code, 143);
  reader.releaseLock();
  await child.stdout.cancel();
});

Deno.test("SIGPIPE and the signal mask are the command's defaults, not Deno's", async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const status = await store.ok(["run", id, "grep", "^Sig[BI]", "/proc/self/status"]);
  const [blocked, ignored] = status.split("\n").map((line) => BigInt("0x" + line.split("\t")[1]));
  assert.equal(blocked, 0n);
  // Only glibc's internal signal 32 may stay ignored: no libc lets a program set it.
  assert.equal(ignored & ~(1n << 31n), 0n);
  // `yes` dies of SIGPIPE when head is done instead of looping on EPIPE.
  const piped = await store.ok(["run", id, "sh", "-c", "yes | head -n 2; echo done"]);
  assert.equal(piped, "y\ny\ndone");
});

Deno.test("a signal plash's caller ignored is the command's default again", async () => {
  using store = new TestStore();
  const id = await store.busybox();
  // nohup's way: SIGHUP ignored by the caller, inherited through Deno's start.
  const script = `trap '' HUP; exec "$@"`;
  const result = await store.spawn([
    "sh",
    "-c",
    script,
    "sh",
    ...selfCommand(["run", id, "grep", "^SigIgn", "/proc/self/status"]),
  ]);
  assert.equal(result.code, 0, result.stderr);
  const ignored = BigInt("0x" + result.stdout.trim().split("\t")[1]);
  assert.equal(ignored & ~(1n << 31n), 0n);
});

Deno.test("run shares /proc /dev /sys /tmp /home and resolv.conf with the host", async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const marker = Deno.makeTempFileSync({ prefix: "plash-host-" });
  Deno.writeTextFileSync(marker, "from host");
  try {
    assert.equal(await store.ok(["run", id, "cat", marker]), "from host");
    assert.equal(
      await store.ok(["run", id, "cat", "/etc/resolv.conf"]),
      Deno.readTextFileSync("/etc/resolv.conf").trim(),
    );
    assert.equal(await store.ok(["run", id, "test", "-c", "/dev/null"]), "");
    assert.equal(await store.ok(["run", id, "ls", "/sys/kernel"]) !== "", true);
    const pid = await store.ok(["run", id, "sh", "-c", "cat /proc/self/stat | cut -d' ' -f1"]);
    assert.ok(Number(pid) > 1);
  } finally {
    Deno.removeSync(marker);
  }
});

Deno.test("resolv.conf works when the image's is a symlink, without touching the host", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const layer = `${store.data}.layer`;
  Deno.mkdirSync(`${layer}/etc`, { recursive: true });
  Deno.mkdirSync(`${layer}/run/resolve`, { recursive: true });
  Deno.symlinkSync("../run/resolve/resolv.conf", `${layer}/etc/resolv.conf`);
  const id = await store.ok(["add-layer", base, layer]);
  assert.equal(
    await store.ok(["run", id, "cat", "/etc/resolv.conf"]),
    Deno.readTextFileSync("/etc/resolv.conf").trim(),
  );
  assert.throws(() => Deno.statSync("/run/resolve/resolv.conf"));
});

Deno.test("changes made by run are discarded and leave nothing in the store", async () => {
  using store = new TestStore();
  const id = await store.busybox();
  await store.ok(["run", id, "sh", "-c", "echo x > /made-by-run; rm /bin/vi"]);
  const result = await store.plash(["run", id, "ls", "/made-by-run", "/bin/vi"]);
  assert.equal(result.code, 1);
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
  assert.deepEqual([...Deno.readDirSync(`${store.data}/mnt`)], []);
});

Deno.test("the working directory is the caller's when the image has it, else /", async () => {
  using store = new TestStore();
  const id = await store.busybox();
  assert.equal(
    await store.plash(["run", id, "pwd"], { cwd: "/tmp" }).then((r) => r.stdout),
    "/tmp\n",
  );
  const missing = Deno.makeTempDirSync({ dir: "/var/tmp" });
  try {
    const result = await store.plash(["run", id, "pwd"], { cwd: missing });
    assert.equal(result.stdout, "/\n");
  } finally {
    Deno.removeSync(missing);
  }
});

Deno.test("the environment holds TERM, HOME, PLASH_EXPORT names and a PATH, nothing else", async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const env = await store.ok(["run", id, "env"], {
    env: { TERM: "xterm-test", SECRET: "no", SHOWN: "yes", PLASH_EXPORT: "SHOWN:NOT_SET" },
  });
  const names = env.split("\n").map((line) => line.split("=")[0]).sort();
  assert.ok(env.includes("TERM=xterm-test"));
  assert.ok(env.includes("SHOWN=yes"));
  assert.ok(env.includes("PATH=/usr/local/sbin:"));
  assert.ok(!names.includes("SECRET"));
  assert.ok(!names.includes("NOT_SET"));
});

Deno.test("without a command run starts root's login shell", async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const result = await store.plash(["run", id], { stdin: "echo shell:$0\n" });
  assert.equal(result.stdout, "shell:/bin/sh\n");
});

Deno.test("a terminal passes through", async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const [program, ...args] = selfCommand(["run", id, "tty"]);
  const quoted = [program, ...args].map((arg) => `'${arg}'`).join(" ");
  const output = await new Deno.Command("script", {
    args: ["-qec", quoted, "/dev/null"],
    env: { PLASH_DATA: store.data },
    stdout: "piped",
  }).output();
  assert.match(new TextDecoder().decode(output.stdout), /^\/dev\/pts\/\d+/);
});

Deno.test("an image without a shell runs its static binary directly", async () => {
  using store = new TestStore();
  const dir = `${store.data}.bare`;
  Deno.mkdirSync(dir, { recursive: true });
  Deno.copyFileSync("/bin/busybox", `${dir}/busybox`);
  Deno.chmodSync(`${dir}/busybox`, 0o755);
  const id = await store.ok(["add-layer", "0", dir]);
  assert.equal(await store.ok(["run", id, "/busybox", "echo", "static"]), "static");
  const missing = await store.plash(["run", id, "sh"]);
  assert.equal(missing.code, 127);
  assert.equal(oneLineError(missing), `plash error: sh: command not found in image ${id}`);
});

Deno.test("run fails with one line for a bad image", async () => {
  using store = new TestStore();
  const missing = await store.plash(["run", "42", "true"]);
  assert.equal(missing.code, 1);
  assert.equal(oneLineError(missing), "plash error: no image: 42");
  const bad = await store.plash(["run", "latest", "true"]);
  assert.match(
    oneLineError(bad),
    /^plash error: image arg must be a positive number or a name, got: latest \(the store has no names/,
  );
  assert.match(usageFailure(await store.plash(["run"])), /^usage: plash run/);
});

Deno.test("an image of 300 layers mounts and runs", async () => {
  using store = new TestStore();
  let id = await store.busybox();
  const images = store.images;
  for (let i = 0; i < 300; i++) {
    const dir = images.makeTmpDir();
    Deno.writeTextFileSync(`${dir}/layer${i}`, `${i}\n`);
    id = String(images.addLayer(Number(id), dir));
  }
  const output = await store.ok(["run", id, "sh", "-c", "cat /layer0 /layer299; ls / | wc -l"]);
  assert.deepEqual(output.split("\n").map((line) => line.trim()), ["0", "299", "311"]);
});
