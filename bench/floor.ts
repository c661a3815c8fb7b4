/**
 * The floor of a root `plash run ID true` in Deno: the least a Deno process can do for it. Six
 * libc functions bound at once with `Deno.dlopen`, then a private mount namespace, a tmpfs, the
 * overlay by mount(2), six host binds, chroot and execve of /bin/true. No store lookup, no
 * config, no checks: what no plash can go below on this machine, timed beside it in
 * `bench/run_startup.sh`.
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
must(libc.mount(c("overlay"), c(root), c("overlay"), 0n, c(options)), `overlay ${root}`);
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
