/**
 * The floor of a rootless `plash run ID true` in Deno: the least a Deno process can do for it,
 * as `bench/floor.ts` is for root's. libc bound at once with `Deno.dlopen`; a child made by
 * clone(2) sharing Deno's memory (CLONE_VM | CLONE_VFORK, its stack carved from the main
 * thread's, DESIGN.md section 4) in a new user and mount namespace; the id maps; a tmpfs, the
 * overlay by mount(2) with userxattr, six host binds, chroot and execve of /bin/true; the parent
 * waits and exits with the child's status.
 *
 * Without a subordinate range (`own`), the child maps the caller itself (setgroups deny,
 * uid_map, gid_map). With one (`range START COUNT`), the maps can only be written from
 * outside: a holder process sleeps in the new namespace while newuidmap and newgidmap map it,
 * then the child joins it with setns(2), as plash does. No store lookup, no config, no checks.
 *
 * usage (not root): deno run -A bench/floor_rootless.ts SCRATCH_DIR LOWERDIR own
 *                   deno run -A bench/floor_rootless.ts SCRATCH_DIR LOWERDIR range START COUNT
 *
 * @module
 */

const [scratch, lower, mode, start, count] = Deno.args;
const libc = Deno.dlopen("libc.so.6", {
  clone: { parameters: ["function", "pointer", "i32", "pointer"], result: "i32" },
  unshare: { parameters: ["i32"], result: "i32" },
  setns: { parameters: ["i32", "i32"], result: "i32" },
  mount: { parameters: ["buffer", "buffer", "buffer", "u64", "buffer"], result: "i32" },
  mkdir: { parameters: ["buffer", "u32"], result: "i32" },
  chroot: { parameters: ["buffer"], result: "i32" },
  chdir: { parameters: ["buffer"], result: "i32" },
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  execve: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  kill: { parameters: ["i32", "i32"], result: "i32" },
  _exit: { parameters: ["i32"], result: "void" },
}).symbols;
/** pause(3)'s address: the holder runs it directly, no JavaScript. */
const pause = Deno.dlopen("libc.so.6", { pause: { type: "pointer" } }).symbols.pause;
const encoder = new TextEncoder();
const c = (text: string) => encoder.encode(text + "\0");
const must = (result: number, what: string) => {
  if (result < 0) throw new Error(`floor_rootless.ts: ${what} failed`);
  return result;
};
const CLONE_VM = 0x100;
const CLONE_VFORK = 0x4000;
const CLONE_NEWNS = 0x20000;
const CLONE_NEWUSER = 0x10000000;
const SIGCHLD = 17;
const MS_BIND_REC = 4096n | 16384n;
const MS_REC_PRIVATE = (1n << 18n) | 16384n;
const O_WRONLY = 1;
const uid = Deno.uid()!;
const gid = Deno.gid()!;

/** A stack for a clone child: the main thread's own, 128 KiB below where it is in use. */
function childStack(): Deno.PointerValue {
  const fields = Deno.readTextFileSync("/proc/thread-self/syscall").trim().split(" ");
  return Deno.UnsafePointer.create(BigInt(fields[fields.length - 2]) - 128n * 1024n);
}

/** Runs `body` in a clone child sharing this memory; returns its pid once it exec'd or ended. */
function spawn(body: () => void, flags: number): number {
  const callback = new Deno.UnsafeCallback({ parameters: ["pointer"], result: "i32" }, () => {
    body();
    libc._exit(127);
    return 127;
  });
  const pid = must(libc.clone(callback.pointer, childStack(), flags | SIGCHLD, null), "clone");
  callback.close();
  return pid;
}

function wait(pid: number): number {
  const status = new Int32Array(1);
  must(libc.waitpid(pid, new Uint8Array(status.buffer), 0), "waitpid");
  return (status[0] >> 8) & 0xff;
}

function writeFile(path: string, text: string): void {
  const fd = must(libc.open(c(path), O_WRONLY, 0), `open ${path}`);
  const bytes = encoder.encode(text);
  must(Number(libc.write(fd, bytes, BigInt(bytes.length))), `write ${path}`);
  libc.close(fd);
}

function execv(program: string, args: string[]): never {
  const strings = args.map(c);
  const argv = new BigUint64Array(strings.length + 1);
  strings.forEach((s, i) => argv[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(s))));
  libc.execve(c(program), argv, new BigUint64Array(1));
  throw new Error(`floor_rootless.ts: execve ${program} failed`);
}

/** The container: the same mounts as bench/floor.ts, in the child's own mount namespace. */
function container(): void {
  must(libc.mount(null, c("/"), null, MS_REC_PRIVATE, null), "mount --make-rprivate /");
  must(libc.mount(c("tmpfs"), c(scratch), c("tmpfs"), 0n, c("mode=0755")), `tmpfs ${scratch}`);
  for (const dir of ["data", "work", "root"]) libc.mkdir(c(`${scratch}/${dir}`), 0o755);
  const root = `${scratch}/root`;
  const options = `lowerdir=${lower},upperdir=${scratch}/data,workdir=${scratch}/work,userxattr`;
  must(libc.mount(c("overlay"), c(root), c("overlay"), 0n, c(options)), `overlay ${root}`);
  for (const dir of ["proc", "dev", "sys", "tmp", "home", "root"]) {
    libc.mkdir(c(`${root}/${dir}`), 0o755);
    must(libc.mount(c(`/${dir}`), c(`${root}/${dir}`), null, MS_BIND_REC, null), `bind /${dir}`);
  }
  must(libc.chroot(c(root)), "chroot");
  must(libc.chdir(c("/")), "chdir");
  execv("/bin/true", ["true"]);
}

let child: number;
if (mode === "own") {
  child = spawn(() => {
    writeFile("/proc/self/setgroups", "deny");
    writeFile("/proc/self/uid_map", `0 ${uid} 1`);
    writeFile("/proc/self/gid_map", `0 ${gid} 1`);
    container();
  }, CLONE_VM | CLONE_VFORK | CLONE_NEWUSER | CLONE_NEWNS);
} else {
  const holder = must(
    libc.clone(pause, childStack(), CLONE_NEWUSER | SIGCHLD, null),
    "clone holder",
  );
  for (const [tool, id] of [["newuidmap", uid], ["newgidmap", gid]] as const) {
    const args = [tool, String(holder), "0", String(id), "1", "1", start, count];
    if (wait(spawn(() => execv(`/usr/bin/${tool}`, args), CLONE_VM | CLONE_VFORK)) !== 0) {
      throw new Error(`floor_rootless.ts: ${tool} failed`);
    }
  }
  const namespace = must(libc.open(c(`/proc/${holder}/ns/user`), 0, 0), "open the namespace");
  libc.kill(holder, 9);
  wait(holder);
  child = spawn(() => {
    must(libc.setns(namespace, CLONE_NEWUSER), "setns");
    must(libc.unshare(CLONE_NEWNS), "unshare");
    container();
  }, CLONE_VM | CLONE_VFORK);
}
Deno.exit(wait(child));
