/**
 * Checked wrappers over the libc calls in `libc.ts`: each throws a
 * {@linkcode SyscallError} naming the call and path when it fails.
 *
 * @module
 */

import { check, SyscallError } from "./errors.ts";
import { cString, cStringArray, errno, libcAddress, sym } from "./libc.ts";

/** mount(2) flags plash uses. */
export const MS = {
  RDONLY: 1n,
  NOSUID: 2n,
  NODEV: 4n,
  NOEXEC: 8n,
  REMOUNT: 32n,
  BIND: 4096n,
  REC: 16384n,
  PRIVATE: 1n << 18n,
} as const;

const CLONE_NEWNS = 0x20000;
const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const X_OK = 1;
const R_OK = 4;
const NULL_STRING = null;

/** mount(2). `source`, `fstype` and `data` may be null. */
export function mount(
  source: string | null,
  target: string,
  fstype: string | null,
  flags: bigint,
  data: string | null = null,
): void {
  const c = (s: string | null) => (s === null ? NULL_STRING : cString(s));
  check(sym.mount(c(source), cString(target), c(fstype), flags, c(data)), "mount", target);
}

/** Bind-mounts `source` on `target`, with everything mounted below it. */
export function bindMount(source: string, target: string): void {
  mount(source, target, null, MS.BIND | MS.REC);
}

/** umount2(2). */
export function umount(target: string, flags = 0): void {
  check(sym.umount2(cString(target), flags), "umount", target);
}

/**
 * Gives the calling thread a mount namespace of its own whose mounts do not
 * propagate back to the host.
 */
export function enterPrivateMountNamespace(): void {
  check(sym.unshare(CLONE_NEWNS), "unshare", "CLONE_NEWNS");
  mount(null, "/", null, MS.REC | MS.PRIVATE);
}

/** rename(2), by a system call alone (what a clone child may do). */
export function rename(from: string, to: string): void {
  check(sym.renameat(AT_FDCWD, cString(from), AT_FDCWD, cString(to)), "rename", from);
}

/** mkdir(2), by a system call alone (what a clone child may do). */
export function makeDir(path: string, mode: number): void {
  check(sym.mkdirat(AT_FDCWD, cString(path), mode), "mkdir", path);
}

/**
 * Makes directory `path` and any missing parents (`mkdir -p`): one mkdir(2)
 * when its parent is there (a run's writable layer on its new tmpfs), where
 * Deno's recursive mkdir costs several calls.
 */
export function makeDirs(path: string): void {
  if (sym.mkdirat(AT_FDCWD, cString(path), 0o777) !== 0) Deno.mkdirSync(path, { recursive: true });
}

/** chroot(2). */
export function chroot(path: string): void {
  check(sym.chroot(cString(path)), "chroot", path);
}

/** chdir(2): unlike `Deno.chdir` it changes only this thread's cwd after an unshare. */
export function chdir(path: string): void {
  check(sym.chdir(cString(path)), "chdir", path);
}

/**
 * chdir(2) that says its failure by errno's value (0 when it worked) instead of throwing: for a
 * directory that is often not there, where an error made and caught (its stack, errno's text)
 * would cost a run more than the call.
 */
export function chdirOrErrno(path: string): number {
  return sym.chdir(cString(path)) === 0 ? 0 : errno();
}

/** Whether `path` is executable for the caller, resolved in the current root. */
export function isExecutable(path: string): boolean {
  return sym.access(cString(path), X_OK) === 0;
}

/**
 * Whether the caller may read `path`, and with `search` look up names in it
 * (a directory), as access(2) answers for the caller's ids.
 */
export function mayRead(path: string, search = false): boolean {
  return sym.access(cString(path), R_OK | (search ? X_OK : 0)) === 0;
}

/** Whether `path` exists in the current root (of this thread). */
export function exists(path: string): boolean {
  return sym.access(cString(path), 0) === 0;
}

/**
 * Replaces this process with `path`. Signals are reset first: the Deno runtime
 * ignores SIGPIPE and that would otherwise be inherited by the new program.
 */
export function execve(path: string, argv: string[], env: string[]): never {
  const code = execveOrErrno(path, prepareExec(argv, env));
  throw new SyscallError("execve", path, code);
}

/** A command's argv and environment as execve(2) takes them, kept alive with their strings. */
export interface PreparedExec {
  argv: ReturnType<typeof cStringArray>;
  env: ReturnType<typeof cStringArray>;
}

/**
 * Resets the signals ({@linkcode resetSignals}) and makes argv and the
 * environment ready for one or more {@linkcode execveOrErrno}s.
 */
export function prepareExec(argv: string[], env: string[]): PreparedExec {
  resetSignals();
  return { argv: cStringArray(argv), env: cStringArray(env) };
}

/** execve(2) of `path` with `prepared`; when it returns, it failed: errno's value. */
export function execveOrErrno(path: string, prepared: PreparedExec): number {
  sym.execve(
    cString(path),
    new Uint8Array(prepared.argv.pointers.buffer),
    new Uint8Array(prepared.env.pointers.buffer),
  );
  return errno();
}

const SIG_SETMASK = 2n;
/**
 * rt_sigaction(2) and rt_sigprocmask(2) by number, through `syscall` (bound
 * already, for openat2) where libc's signal() and sigprocmask() would each
 * be bound for the one or two calls of a run. Their numbers on x86_64 and
 * aarch64 (asm/unistd.h).
 */
const AARCH64 = Deno.build.arch === "aarch64";
const SYS_RT_SIGACTION = AARCH64 ? 134n : 13n;
const SYS_RT_SIGPROCMASK = AARCH64 ? 135n : 14n;
/** The kernel's sigset_t: 64 signals. */
const SIGSET_SIZE = 8n;
/** A struct sigaction of the kernel's, all zero: SIG_DFL, no flags, nothing masked. */
const DEFAULT_ACTION = new Uint8Array(32);
/**
 * Signals to reset: 1 to 64 but KILL (9) and STOP (19), which cannot be
 * caught, and glibc's internal 32 and 33, which its threads use. Written
 * out: computing the list at load cost every start 0.02-0.05 ms.
 */
// deno-fmt-ignore
const RESETTABLE_SIGNALS = [
  1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24, 25, 26,
  27, 28, 29, 30, 31, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50,
  51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64,
];
const STATUS_BUFFER = new Uint8Array(8192);
const EMPTY_MASK = new Uint8Array(Number(SIGSET_SIZE));

/**
 * Restores default dispositions and an empty signal mask, as a fresh process
 * has. execve(2) itself resets the signals a handler catches; what it keeps
 * is the ignored ones (Deno ignores SIGPIPE, a parent may have ignored
 * SIGHUP or SIGINT) and the mask, so only those are reset: the ignored ones
 * read from this thread's `SigIgn` in procfs, one call each instead of one
 * for every signal (0.13 ms of a run). Where procfs cannot say (an image
 * without /proc bound), every signal is reset.
 */
export function resetSignals(): void {
  const ignored = ignoredSignals();
  for (const signal of RESETTABLE_SIGNALS) {
    if (ignored === undefined || isSet(ignored, signal)) {
      sym.syscall(SYS_RT_SIGACTION, BigInt(signal), DEFAULT_ACTION, null, SIGSET_SIZE);
    }
  }
  sym.syscall(SYS_RT_SIGPROCMASK, SIG_SETMASK, EMPTY_MASK, null, SIGSET_SIZE);
}

/** Whether `signal`'s bit is set in a procfs signal mask given as its two 32-bit halves. */
function isSet(mask: [high: number, low: number], signal: number): boolean {
  const bit = signal - 1;
  return ((bit < 32 ? mask[1] >>> bit : mask[0] >>> (bit - 32)) & 1) === 1;
}

/**
 * The signals this process ignores, as `SigIgn` of /proc/thread-self/status
 * shows them (64 bits in hex, signal N is bit N-1), split in two halves;
 * undefined when procfs is not there. By system calls alone (a clone child
 * calls it too), and read from the bytes: a TextDecoder and a regular
 * expression cost more than the signals it spares.
 */
export function ignoredSignals(): [high: number, low: number] | undefined {
  const fd = sym.open(cString("/proc/thread-self/status"), O_RDONLY_CLOEXEC, 0);
  if (fd < 0) return undefined;
  const length = Number(sym.read(fd, STATUS_BUFFER, BigInt(STATUS_BUFFER.length)));
  sym.close(fd);
  // "SigIgn:\t" then 16 hex digits, found by its capital I (few lines have one).
  let at = -1;
  do at = STATUS_BUFFER.indexOf(I, at + 1); while (at > 0 && !isSigIgn(at - 3));
  if (at < 0 || at + 21 > length) return undefined;
  const halves: [number, number] = [0, 0];
  for (let i = 0; i < 16; i++) {
    const digit = hexDigit(STATUS_BUFFER[at + 5 + i]);
    if (digit < 0) return undefined;
    halves[i >> 3] = halves[i >> 3] * 16 + digit;
  }
  return halves;
}

const I = "I".charCodeAt(0);
const SIG_IGN_LABEL = new TextEncoder().encode("SigIgn:\t");

/** Whether the status file's bytes at `start` are the label of the `SigIgn` line. */
function isSigIgn(start: number): boolean {
  if (start < 0) return false;
  for (let i = 0; i < SIG_IGN_LABEL.length; i++) {
    if (STATUS_BUFFER[start + i] !== SIG_IGN_LABEL[i]) return false;
  }
  return true;
}

/** The value of an ASCII hex digit (lower case, as procfs writes it), -1 for another byte. */
function hexDigit(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  if (byte >= 97 && byte <= 102) return byte - 87;
  return -1;
}

/** File type bits for {@linkcode mknod}. */
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;

/** mknod(2) with the device number built from major and minor as glibc's makedev does. */
export function mknod(path: string, mode: number, major = 0, minor = 0): void {
  const dev = ((BigInt(major) & 0xfffn) << 8n) | ((BigInt(major) & ~0xfffn) << 32n) |
    (BigInt(minor) & 0xffn) | ((BigInt(minor) & ~0xffn) << 12n);
  check(sym.mknod(cString(path), mode, dev), "mknod", path);
}

/** Splits a `Deno.FileInfo.rdev` into major and minor numbers. */
export function splitDevice(rdev: number): { major: number; minor: number } {
  const dev = BigInt(rdev);
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

/** lchown(2): changes the owner of a symlink itself, not of its target. */
export function lchown(path: string, uid: number, gid: number): void {
  check(sym.lchown(cString(path), uid, gid), "lchown", path);
}

/**
 * Sets access and modification times without following symlinks: seconds
 * since the epoch, or nanoseconds as a bigint (exact, where a number of
 * seconds keeps about a quarter of a microsecond).
 */
export function setTimesNoFollow(
  path: string,
  atime: number | bigint,
  mtime: number | bigint,
): void {
  const times = new BigInt64Array(4);
  const split = (t: number | bigint, i: number) => {
    if (typeof t === "bigint") {
      times[i] = t / 1_000_000_000n;
      times[i + 1] = t % 1_000_000_000n;
      return;
    }
    const seconds = Math.floor(t);
    times[i] = BigInt(seconds);
    times[i + 1] = BigInt(Math.round((t - seconds) * 1e9));
  };
  split(atime, 0);
  split(mtime, 2);
  check(
    sym.utimensat(AT_FDCWD, cString(path), new Uint8Array(times.buffer), AT_SYMLINK_NOFOLLOW),
    "utimensat",
    path,
  );
}

let decoder: TextDecoder | undefined;

/**
 * `bytes` as UTF-8 text, by one decoder made on first use: making it at load
 * cost every start 0.03 ms, and a run decodes nothing.
 */
function decodeText(bytes: Uint8Array): string {
  return (decoder ??= new TextDecoder()).decode(bytes);
}

/**
 * llistxattr, bound with `Deno.dlopen` the first time it is needed rather
 * than through `libc.ts`'s pointers: a walk of a tree calls it for every
 * file, and V8's fast call costs 0.1 µs against 0.7 µs (the 6,679 files of the
 * Debian tree: 20-23 ms of calls down to 12-14).
 */
const LLISTXATTR = {
  llistxattr: { parameters: ["buffer", "buffer", "usize"], result: "isize" },
} as const satisfies Record<string, Deno.ForeignFunction>;
let llistxattr: Deno.DynamicLibrary<typeof LLISTXATTR>["symbols"]["llistxattr"] | undefined;

/** The names of the extended attributes of `path` (not following symlinks). */
export function listXattrs(path: string): string[] {
  llistxattr ??= Deno.dlopen("libc.so.6", LLISTXATTR).symbols.llistxattr;
  const cpath = cString(path);
  const size = check(llistxattr(cpath, null, 0n), "llistxattr", path);
  if (size === 0) return [];
  const buffer = new Uint8Array(size);
  const length = check(llistxattr(cpath, buffer, BigInt(size)), "llistxattr", path);
  return decodeText(buffer.subarray(0, length)).split("\0").filter((name) => name !== "");
}

/** The value of one extended attribute of `path` (not following symlinks). */
export function getXattr(path: string, name: string): Uint8Array {
  const cpath = cString(path);
  const cname = cString(name);
  const size = check(sym.lgetxattr(cpath, cname, null, 0n), "lgetxattr", `${path} ${name}`);
  const buffer = new Uint8Array(size);
  const length = check(
    sym.lgetxattr(cpath, cname, buffer, BigInt(size)),
    "lgetxattr",
    `${path} ${name}`,
  );
  return buffer.subarray(0, length);
}

/** Sets one extended attribute of `path` (not following symlinks). */
export function setXattr(path: string, name: string, value: Uint8Array): void {
  const copy = new Uint8Array(value);
  check(
    sym.lsetxattr(cString(path), cString(name), copy, BigInt(copy.length), 0),
    "lsetxattr",
    `${path} ${name}`,
  );
}

/** The effective user and group ids of this process. */
export function effectiveIds(): { uid: number; gid: number } {
  return { uid: sym.geteuid(), gid: sym.getegid() };
}

/** _LINUX_CAPABILITY_VERSION_3: capget(2) fills two 32-bit halves of each set. */
const CAPABILITY_VERSION_3 = 0x20080522;

/**
 * The effective capability set of this thread, bit N for capability N: one
 * capget(2), where the CapEff line of /proc/self/status cost a start a file
 * read and its parse (about 0.1 ms).
 */
export function effectiveCapabilities(): bigint {
  // struct __user_cap_header_struct { u32 version; int pid } (0: this thread), and two of
  // struct __user_cap_data_struct { u32 effective, permitted, inheritable }.
  const header = new Uint32Array([CAPABILITY_VERSION_3, 0]);
  const data = new Uint32Array(6);
  check(
    sym.capget(new Uint8Array(header.buffer), new Uint8Array(data.buffer)),
    "capget",
    "this thread",
  );
  return BigInt(data[0]) | BigInt(data[3]) << 32n;
}

/** The id of this process (of a clone child, its own: not Deno's cached pid). */
export function processId(): number {
  return sym.getpid();
}

/** The id of this process's parent. */
export function parentPid(): number {
  return sym.getppid();
}

const O_RDONLY_CLOEXEC = 0o2000000;

/**
 * Opens `path` read-only and returns the raw descriptor. A mount can later use
 * `/proc/self/fd/N` as its source even after a chroot has hidden `path`.
 */
export function openReadOnly(path: string): number {
  return check(sym.open(cString(path), O_RDONLY_CLOEXEC, 0), "open", path);
}

/** A pipe as two descriptors, both close-on-exec (a child's dup2 of one keeps it). */
export function makePipe(): { read: number; write: number } {
  const fds = new Int32Array(2);
  check(sym.pipe2(new Uint8Array(fds.buffer), O_RDONLY_CLOEXEC), "pipe2");
  return { read: fds[0], write: fds[1] };
}

/** dup2(2): `fd` as descriptor `target` too (not close-on-exec). */
export function dup2(fd: number, target: number): void {
  check(sym.dup2(fd, target), "dup2", String(target));
}

/** dup(2): another descriptor of what `fd` refers to (not close-on-exec). */
export function duplicate(fd: number): number {
  return check(sym.dup(fd), "dup", String(fd));
}

/** PIPE_BUF: a write of at most this many bytes into a pipe is whole, or fails. */
const PIPE_BUF = 4096;

/**
 * Writes `bytes`, at most 4 KiB, into the empty pipe `fd` with one write(2),
 * whole or not at all: no loop, no reader needed, as for a small message
 * (an OCI state) a child reads once it starts.
 */
export function writeToPipe(fd: number, bytes: Uint8Array): void {
  if (bytes.length > PIPE_BUF) {
    throw new Error(`writeToPipe: ${bytes.length} bytes exceed a pipe's atomic write`);
  }
  check(sym.write(fd, bytes, BigInt(bytes.length)), "write", `pipe ${fd}`);
}

/**
 * Writes all of `bytes` to `fd` from a worker thread, so that the event loop
 * runs while a pipe's reader is slow. A failed write throws without an errno
 * (it was set on the worker thread): a pipe whose reader is gone, mostly.
 */
export async function writeAllNonblocking(fd: number, bytes: Uint8Array): Promise<void> {
  const copy = new Uint8Array(bytes);
  for (let done = 0; done < copy.length;) {
    const chunk = copy.subarray(done);
    const written = Number(await sym.write_nonblocking(fd, chunk, BigInt(chunk.length)));
    if (written < 0) throw new Error(`write to descriptor ${fd} failed`);
    done += written;
  }
}

/** What a finished writer left in the pipe `fd`: up to 4 KiB, as text (an error message). */
export function readAvailable(fd: number): string {
  const buffer = new Uint8Array(4096);
  const length = Number(sym.read(fd, buffer, BigInt(buffer.length)));
  return length > 0 ? new TextDecoder().decode(buffer.subarray(0, length)) : "";
}

const LOCK_EX_NB = 2 | 4;
const EWOULDBLOCK = 11;

/**
 * flock(2) an exclusive lock on `fd` without waiting: true when it was free
 * (the lock is then this process's until `fd` is closed), false when another
 * holds it.
 */
export function tryLockExclusive(fd: number, shown: string): boolean {
  if (sym.flock(fd, LOCK_EX_NB) === 0) return true;
  const code = errno();
  if (code === EWOULDBLOCK) return false;
  throw new SyscallError("flock", shown, code);
}

/** close(2). */
export function closeFd(fd: number): void {
  sym.close(fd);
}

/** kill(2); a process that is already gone is not an error. */
export function sendSignal(pid: number, signal: number): void {
  sym.kill(pid, signal);
}

const WNOHANG = 1;
const EINTR = 4;
const SIGKILL = 9;
const O_WRONLY = 1;
let waitpidHere:
  | ((pid: number, status: Uint8Array<ArrayBuffer>, options: number) => number)
  | undefined;

/**
 * waitpid(2) called on this (the main) thread. `sym.waitpid` is non-blocking:
 * it runs on a worker thread, and errno is per thread, so its errno cannot be
 * read here; a call on this thread leaves errno where `errno()` reads it.
 */
function waitpidOnThisThread(
  pid: number,
  status: Uint8Array<ArrayBuffer>,
  options: number,
): number {
  if (waitpidHere === undefined) {
    const pointer = new Deno.UnsafeFnPointer(
      libcAddress("waitpid") as Deno.PointerObject<never>,
      { parameters: ["i32", "buffer", "i32"], result: "i32" } as const,
    );
    waitpidHere = (pid, status, options) => pointer.call(pid, status, options);
  }
  return waitpidHere(pid, status, options);
}

/**
 * How a child ended, as a shell reports it: the exit code, or 128 + the signal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { waitForExit, spawnProgram } from "./sys.ts";
 *
 * // A child made by posix_spawn(3) or clone(2) (spawn_in_namespaces.ts).
 * const pid = spawnProgram(["/bin/sh", "-c", "exit 3"], []);
 * assert.equal(await waitForExit(pid), 3); // or 128 + 9 had it been killed
 * ```
 */
export async function waitForExit(pid: number): Promise<number> {
  const status = new Int32Array(1);
  const buffer = new Uint8Array(status.buffer);
  for (;;) {
    // Blocking, off the main thread: signal listeners keep running meanwhile.
    if (await sym.waitpid(pid, buffer, 0) === pid) break;
    // Failed, with an errno left on the worker thread. Ask again here without
    // blocking: 0 means the child still runs (the wait was interrupted, EINTR),
    // its pid that it has just ended, -1 a real error (ECHILD) in this errno.
    const now = waitpidOnThisThread(pid, buffer, WNOHANG);
    if (now === pid) break;
    if (now < 0) throw new SyscallError("waitpid", String(pid), errno());
  }
  return shellStatus(status[0]);
}

/** A wait status as a shell reports it: the exit code, or 128 + the signal. */
function shellStatus(raw: number): number {
  const signal = raw & 0x7f;
  return signal === 0 ? (raw >> 8) & 0xff : 128 + signal;
}

/**
 * How child `pid` ended ({@linkcode waitForExit}'s number), waiting on this
 * thread, which runs nothing else meanwhile (signal listeners included): for
 * a clone child, which has no event loop.
 */
function waitForExitSync(pid: number): number {
  const status = new Int32Array(1);
  const buffer = new Uint8Array(status.buffer);
  while (waitpidOnThisThread(pid, buffer, 0) !== pid) {
    const code = errno();
    if (code !== EINTR) throw new SyscallError("waitpid", String(pid), code);
  }
  return shellStatus(status[0]);
}

/** The longest pause between two looks at a child {@linkcode waitForExitWithin} waits for. */
const LONGEST_PAUSE_MS = 10;

/**
 * How child `pid` ended, waiting on this thread (as a clone child must) for
 * at most `ms` milliseconds (or for good without `ms`): past that the child
 * is killed (SIGKILL) and reaped, and the result is undefined. It looks at
 * the child after pauses that grow from 0.1 ms, so a quick child costs little.
 */
export function waitForExitWithin(pid: number, ms?: number): number | undefined {
  if (ms === undefined) return waitForExitSync(pid);
  const deadline = performance.now() + ms;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let pause = 0.1;; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    const status = exitStatusNow(pid);
    if (status !== undefined) return status;
    const left = deadline - performance.now();
    if (left <= 0) {
      sendSignal(pid, SIGKILL);
      waitForExitSync(pid);
      return undefined;
    }
    Atomics.wait(sleeper, 0, 0, Math.min(pause, left));
  }
}

/**
 * Starts the program at path `argv[0]` (no PATH search) with `argv` and the
 * environment `env` (`NAME=VALUE` each) by posix_spawn(3), with this
 * process's descriptors, stderr on /dev/null with `quietStderr`; returns its
 * pid. No JavaScript runs in the child, so a clone child may call this.
 */
export function spawnProgram(
  argv: string[],
  env: string[],
  options: { quietStderr?: boolean } = {},
): number {
  const pid = new Int32Array(1);
  const args = cStringArray(argv);
  const environment = cStringArray(env);
  // posix_spawn_file_actions_t: 80 bytes on 64-bit glibc.
  const actions = new Uint8Array(80);
  sym.posix_spawn_file_actions_init(actions);
  try {
    if (options.quietStderr) {
      sym.posix_spawn_file_actions_addopen(actions, 2, cString("/dev/null"), O_WRONLY, 0);
    }
    const code = sym.posix_spawn(
      new Uint8Array(pid.buffer),
      cString(argv[0]),
      actions,
      null,
      new Uint8Array(args.pointers.buffer),
      new Uint8Array(environment.pointers.buffer),
    );
    if (code !== 0) throw new SyscallError("posix_spawn", argv[0], code);
  } finally {
    sym.posix_spawn_file_actions_destroy(actions);
  }
  return pid[0];
}

/**
 * How child `pid` ended ({@linkcode waitForExit}'s number), or undefined while
 * it runs: asked without waiting, on this thread (a clone child may ask).
 */
export function exitStatusNow(pid: number): number | undefined {
  const status = new Int32Array(1);
  const found = waitpidOnThisThread(pid, new Uint8Array(status.buffer), WNOHANG);
  if (found < 0) throw new SyscallError("waitpid", String(pid), errno());
  return found === pid ? shellStatus(status[0]) : undefined;
}

/** Bytes available to unprivileged users on the filesystem holding `path` (statvfs). */
export function freeBytes(path: string): number {
  // struct statvfs on 64-bit Linux: f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, ...
  const fields = new BigUint64Array(14);
  check(sym.statvfs(cString(path), new Uint8Array(fields.buffer)), "statvfs", path);
  return Number(fields[1] * fields[4]);
}

/**
 * Whether the filesystem holding `path` has no block or no inode left for
 * unprivileged users (statvfs): what a write there fails with ENOSPC on.
 */
export function filesystemFull(path: string): boolean {
  // f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_favail, ...
  const fields = new BigUint64Array(14);
  check(sym.statvfs(cString(path), new Uint8Array(fields.buffer)), "statvfs", path);
  return fields[4] === 0n || fields[7] === 0n;
}

/** statvfs(3) f_flag bits and the mount(2) flags that say the same. */
const MOUNT_FLAG_BITS: [bigint, bigint][] = [
  [1n, MS.RDONLY],
  [2n, MS.NOSUID],
  [4n, MS.NODEV],
  [8n, 8n], // noexec
  [1024n, 1024n], // noatime
  [2048n, 2048n], // nodiratime
  [4096n, 1n << 21n], // relatime
];

/**
 * The mount(2) flags of the mount holding `path`: what a remount must keep
 * (inside a user namespace the kernel refuses to drop the ones it locked).
 */
export function mountFlags(path: string): bigint {
  const fields = new BigUint64Array(14);
  check(sym.statvfs(cString(path), new Uint8Array(fields.buffer)), "statvfs", path);
  let flags = 0n;
  for (const [bit, flag] of MOUNT_FLAG_BITS) if (fields[9] & bit) flags |= flag;
  return flags;
}

/** The C library's version, e.g. "2.36". */
export function libcVersion(): string {
  return Deno.UnsafePointerView.getCString(sym.gnu_get_libc_version()!);
}

const O_RDONLY_NONBLOCK_CLOEXEC = 0o4000 | 0o2000000;

/**
 * The text of the file at `path` (resolved in this thread's root), read with
 * raw descriptors (nothing Deno keeps, so a clone child may call it) and no
 * further than `limit` bytes: a fifo or a device where a small file belongs
 * neither blocks nor fills memory. Undefined when there is no such file.
 */
export function readSmallFile(path: string, limit: number): string | undefined {
  const fd = sym.open(cString(path), O_RDONLY_NONBLOCK_CLOEXEC, 0);
  if (fd < 0) {
    const code = errno();
    if (code === 2 || code === 20) return undefined; // ENOENT, ENOTDIR
    throw new SyscallError("open", path, code);
  }
  try {
    const buffer = new Uint8Array(limit + 1);
    let length = 0;
    while (length <= limit) {
      const read = Number(sym.read(fd, buffer.subarray(length), BigInt(buffer.length - length)));
      if (read < 0) throw new SyscallError("read", path, errno());
      if (read === 0) break;
      length += read;
    }
    if (length > limit) throw new SyscallError("read", path, 27, `larger than ${limit} bytes`);
    return decodeText(buffer.subarray(0, length));
  } finally {
    sym.close(fd);
  }
}
