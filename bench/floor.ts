/**
 * The floor of a root `plash run ID true` in Deno: the least a Deno process can do for it. Six
 * libc functions bound at once with `Deno.dlopen`, then a private mount namespace, a tmpfs, the
 * overlay by mount(2), six host binds, chroot and execve of /bin/true. No store lookup, no
 * config, no checks: what no plash can go below on this machine, timed beside it in
 * `bench/run_startup.sh`.
 *
 * LOWERDIR may list layers as overlay does (`top:...:bottom`); a list longer than mount(2)'s
 * option page (deep images) is handed to the kernel one layer at a time by the new mount API.
 *
 * usage (root): deno run -A bench/floor.ts SCRATCH_DIR LOWERDIR
 *
 * @module
 */

const [scratch, lower] = Deno.args;
const libc = Deno.dlopen("libc.so.6", {
  unshare: { parameters: ["i32"], result: "i32" },
  mount: { parameters: ["buffer", "buffer", "buffer", "u64", "buffer"], result: "i32" },
  mkdir: { parameters: ["buffer", "u32"], result: "i32" },
  chroot: { parameters: ["buffer"], result: "i32" },
  chdir: { parameters: ["buffer"], result: "i32" },
  execve: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
}).symbols;
const encoder = new TextEncoder();
const c = (text: string) => encoder.encode(text + "\0");
const must = (result: number, what: string) => {
  if (result !== 0) throw new Error(`floor.ts: ${what} failed`);
};
const CLONE_NEWNS = 0x20000;
const MS_BIND_REC = 4096n | 16384n;
const MS_REC_PRIVATE = (1n << 18n) | 16384n;

must(libc.unshare(CLONE_NEWNS), "unshare");
must(libc.mount(null, c("/"), null, MS_REC_PRIVATE, null), "mount --make-rprivate /");
must(libc.mount(c("tmpfs"), c(scratch), c("tmpfs"), 0n, c("mode=0755")), `tmpfs ${scratch}`);
for (const dir of ["data", "work", "root"]) libc.mkdir(c(`${scratch}/${dir}`), 0o755);
const root = `${scratch}/root`;
const options = `lowerdir=${lower},upperdir=${scratch}/data,workdir=${scratch}/work`;
if (options.length < 4096) {
  must(libc.mount(c("overlay"), c(root), c("overlay"), 0n, c(options)), `overlay ${root}`);
} else {
  // Bound only here: each function bound costs the one-layer floor time.
  const api = Deno.dlopen("libc.so.6", {
    fsopen: { parameters: ["buffer", "u32"], result: "i32" },
    fsconfig: { parameters: ["i32", "u32", "buffer", "buffer", "i32"], result: "i32" },
    fsmount: { parameters: ["i32", "u32", "u32"], result: "i32" },
    move_mount: { parameters: ["i32", "buffer", "i32", "buffer", "u32"], result: "i32" },
  }).symbols;
  const fs = api.fsopen(c("overlay"), 1);
  const set = (key: string, value: string) =>
    must(api.fsconfig(fs, 1, c(key), c(value), 0), `fsconfig ${key}`);
  for (const layer of lower.split(":")) set("lowerdir+", layer);
  set("upperdir", `${scratch}/data`);
  set("workdir", `${scratch}/work`);
  must(api.fsconfig(fs, 6, null, null, 0), "fsconfig create");
  const mounted = api.fsmount(fs, 1, 0);
  must(api.move_mount(mounted, c(""), -100, c(root), 4), `move_mount ${root}`);
}
for (const dir of ["proc", "dev", "sys", "tmp", "home", "root"]) {
  libc.mkdir(c(`${root}/${dir}`), 0o755);
  must(libc.mount(c(`/${dir}`), c(`${root}/${dir}`), null, MS_BIND_REC, null), `bind /${dir}`);
}
must(libc.chroot(c(root)), "chroot");
must(libc.chdir(c("/")), "chdir");
const argv0 = c("true");
const argv = new BigUint64Array([
  BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(argv0))),
  0n,
]);
libc.execve(c("/bin/true"), argv, new BigUint64Array(1));
throw new Error("floor.ts: execve /bin/true failed");
