/**
 * Checked wrappers over the libc calls in `libc.ts`: each throws a
 * {@linkcode SyscallError} naming the call and path when it fails.
 *
 * Every start loads this module (about 0.05 ms of CPU a KB of code): what a
 * run does not call has a module of its own (`processes.ts`,
 * `file_attributes.ts`, `device_nodes.ts`, `filesystem_status.ts`,
 * `capabilities.ts`, `file_lock.ts`).
 *
 * @module
 */

import { check, SyscallError } from "./errors.ts";
import { cString, cStringArray, errno, sym } from "./libc.ts";

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

/** The effective user and group ids of this process. */
export function effectiveIds(): { uid: number; gid: number } {
  return { uid: sym.geteuid(), gid: sym.getegid() };
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

/** close(2). */
export function closeFd(fd: number): void {
  sym.close(fd);
}

/** The C library's version, e.g. "2.36". */
export function libcVersion(): string {
  return Deno.UnsafePointerView.getCString(sym.gnu_get_libc_version()!);
}

let decoder: TextDecoder | undefined;

/**
 * `bytes` as UTF-8 text, by one decoder made on first use: making it at load
 * cost every start 0.03 ms, and a run decodes nothing.
 */
export function decodeText(bytes: Uint8Array): string {
  return (decoder ??= new TextDecoder()).decode(bytes);
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
