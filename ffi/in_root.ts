/**
 * Paths resolved strictly inside a directory: the image root a container is
 * set up in. What an image holds (a symlink `etc/resolv.conf ->
 * /proc/self/cwd/../../etc/x`, a `..` chain, a link into a host bind) must
 * never make plash act on a host path.
 *
 * Every lookup is one openat2(2) relative to a descriptor of the root with
 * `RESOLVE_IN_ROOT` (absolute symlinks and `..` stay below the root, as if it
 * were `/`) and `RESOLVE_NO_MAGICLINKS` (no `/proc/PID/fd`, `cwd`, `root`
 * jumps). What is found is an `O_PATH` descriptor, and mounts are made onto
 * `/proc/self/fd/N`, so nothing is looked up by name a second time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openInRoot, openPath } from "./in_root.ts";
 * import type { SyscallError } from "./errors.ts";
 * import { closeFd } from "./sys.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/etc`);
 * Deno.symlinkSync("/etc/hostname", `${dir}/etc/resolv.conf`); // absolute: stays in dir
 * const root = openPath(dir, { directory: true });
 * assert.throws(
 *   () => openInRoot(root, "etc/resolv.conf", { symlinks: "follow" }),
 *   (error: SyscallError) => error.code === "ENOENT", // dir/etc/hostname is not there
 * );
 * closeFd(root);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { check, SyscallError } from "./errors.ts";
import { cString, errno, sym } from "./libc.ts";

const AARCH64 = Deno.build.arch === "aarch64";
const O_WRONLY = 0o1;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
/** arm64 numbers these two differently from x86_64 (asm/fcntl.h). */
const O_DIRECTORY = AARCH64 ? 0o40000 : 0o200000;
const O_NOFOLLOW = AARCH64 ? 0o100000 : 0o400000;
const O_CLOEXEC = 0o2000000;
const O_PATH = 0o10000000;
const RESOLVE_NO_XDEV = 0x01;
const RESOLVE_NO_MAGICLINKS = 0x02;
const RESOLVE_NO_SYMLINKS = 0x04;
const RESOLVE_IN_ROOT = 0x10;
/** openat2's number, the same on x86_64 and aarch64 (the unified table of Linux 5.6). */
const SYS_OPENAT2 = 437n;

/** How a lookup in the root treats what it meets. */
export interface InRootOptions {
  /** "follow": symlinks are followed, inside the root; "refuse": any symlink fails (ELOOP). */
  symlinks: "follow" | "refuse";
  /** The path must be a directory (ENOTDIR otherwise). */
  directory?: boolean;
  /** The path must be on the root's own filesystem, crossing no mount on the way (EXDEV). */
  sameMount?: boolean;
  /** A symlink as the last component is opened itself, not followed. */
  noFollowLast?: boolean;
}

/**
 * An `O_PATH` descriptor of host path `path` (a mount source, the image
 * root): a handle that reads nothing and never blocks, even on a fifo.
 */
export function openPath(path: string, options: { directory?: boolean } = {}): number {
  const flags = O_PATH | O_CLOEXEC | (options.directory ? O_DIRECTORY : 0);
  return check(sym.open(cString(path), flags, 0), "open", path);
}

/**
 * An `O_PATH` descriptor of `path` (taken as relative to the root, a leading
 * "/" or not) resolved inside the directory `rootFd`. Fails with a
 * {@linkcode SyscallError} of `openat2` naming the path: ENOENT when it is
 * missing, ELOOP for a refused symlink or magic link, ENOTDIR, EXDEV.
 */
export function openInRoot(rootFd: number, path: string, options: InRootOptions): number {
  const fd = findInRoot(rootFd, path, options);
  if (fd === undefined) throw new SyscallError("openat2", `/${path.replace(/^\/+/, "")}`, ENOENT);
  return fd;
}

/**
 * {@linkcode openInRoot}, but undefined where `path` is missing: a miss that
 * is expected (a mount point the image lacks) costs no error (its text and
 * stack are most of a failed lookup's time).
 */
export function findInRoot(
  rootFd: number,
  path: string,
  options: InRootOptions,
): number | undefined {
  const relative = withoutLeadingSlashes(path) || ".";
  setHow(
    O_PATH | O_CLOEXEC | (options.directory ? O_DIRECTORY : 0) |
      (options.noFollowLast ? O_NOFOLLOW : 0),
    RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
      (options.symlinks === "refuse" ? RESOLVE_NO_SYMLINKS : 0) |
      (options.sameMount ? RESOLVE_NO_XDEV : 0),
  );
  const fd = sym.syscall(SYS_OPENAT2, BigInt(rootFd), cString(relative), HOW_BYTES, HOW_SIZE);
  if (fd >= 0n) return Number(fd);
  const code = errno();
  if (code === ENOENT) return undefined;
  if (code !== ENOSYS) throw new SyscallError("openat2", `/${relative}`, code);
  try {
    return walkInRoot(rootFd, relative, options);
  } catch (error) {
    if (error instanceof SyscallError && error.errno === ENOENT) return undefined;
    throw error;
  }
}

/**
 * {@linkcode openInRoot} for a kernel without openat2 (Linux before 5.6,
 * qemu-user before 9.1): its rules kept by hand, one
 * `openat(O_PATH|O_NOFOLLOW)` per component from the root's descriptor, so
 * the kernel never follows anything. `..` stops at the root; a symlink's text
 * is resolved again from the root (absolute) or from its directory, at most
 * 40 of them (ELOOP); procfs's magic links (`/proc/PID/fd/N`, `cwd`, `root`,
 * `exe`) are refused (ELOOP); with `sameMount` every component's mount (`mnt_id` in
 * fdinfo) must be the root's (EXDEV). Exported so that the tests compare it
 * with openat2 where the kernel has it.
 *
 * @example
 * ```ts
 * import { openPath, walkInRoot } from "./in_root.ts";
 * import { closeFd } from "./sys.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/etc`);
 * const root = openPath(dir, { directory: true });
 * closeFd(walkInRoot(root, "../../etc", { symlinks: "follow" })); // dir's etc: `..` stops at the root
 * closeFd(root);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function walkInRoot(rootFd: number, path: string, options: InRootOptions): number {
  const shown = `/${path.replace(/^\/+/, "")}`;
  const fail = (code: number): never => {
    throw new SyscallError("openat2", shown, code);
  };
  const rootMount = options.sameMount ? mountId(rootFd) : undefined;
  const dirs: number[] = []; // the directories on the way below the root, deepest last
  const pending = path.split("/");
  let links = 0;
  let found: number | undefined;
  try {
    while (pending.length && found === undefined) {
      const name = pending.shift()!;
      if (name === "" || name === ".") continue;
      if (name === "..") {
        const up = dirs.pop();
        if (up !== undefined) sym.close(up);
        continue;
      }
      const last = pending.every((part) => part === "" || part === ".");
      const fd = sym.openat(
        dirs.at(-1) ?? rootFd,
        cString(name),
        O_PATH | O_NOFOLLOW | O_CLOEXEC,
        0,
      );
      if (fd < 0) fail(errno());
      const text = last && options.noFollowLast ? undefined : symlinkTarget(fd, shown);
      if (text === undefined) {
        if (rootMount !== undefined && mountId(fd) !== rootMount) {
          sym.close(fd);
          fail(EXDEV);
        }
        if (last) found = fd;
        else dirs.push(fd);
        continue;
      }
      const refused = options.symlinks === "refuse" || ++links > MAX_LINKS ||
        (isMagic(text) && onProcfs(fd));
      sym.close(fd);
      if (refused) fail(ELOOP);
      if (text.startsWith("/")) closeAll(dirs.splice(0));
      pending.unshift(...text.split("/"));
    }
    // A path that ends at a directory passed on the way (".", "a/..", a link to "/").
    found ??= dirs.pop() ?? sym.openat(rootFd, cString("."), O_PATH | O_CLOEXEC, 0);
    if (found < 0) fail(errno());
    if (!options.directory) return found;
    const dir = sym.openat(found, cString("."), O_PATH | O_CLOEXEC | O_DIRECTORY, 0);
    sym.close(found);
    return dir < 0 ? fail(ENOTDIR) : dir;
  } finally {
    closeAll(dirs);
  }
}

const ENOENT = 2;
const ENOSYS = 38;
const EXDEV = 18;
const ENOTDIR = 20;
const ELOOP = 40;
/** How many symlinks one lookup may go through: the kernel's limit (ELOOP beyond). */
export const MAX_LINKS = 40;
/** `f_type` of procfs (linux/magic.h): its symlinks are the kernel's magic links. */
const PROC_SUPER_MAGIC = 0x9fa0n;

function closeAll(fds: number[]): void {
  for (const fd of fds) sym.close(fd);
}

/**
 * Whether a procfs symlink with this text is a magic link: those read as an
 * absolute path or as `type:[inode]`; procfs's ordinary links (`self`,
 * `thread-self`, `mounts`, `net`) read as relative names, which openat2
 * follows too.
 */
function isMagic(text: string): boolean {
  return text.startsWith("/") || text.includes(":");
}

function onProcfs(fd: number): boolean {
  // struct statfs starts with f_type, a long on x86_64 and aarch64.
  const buffer = new BigInt64Array(16);
  if (sym.fstatfs(fd, new Uint8Array(buffer.buffer)) < 0) return true;
  return BigInt.asUintN(64, buffer[0]) === PROC_SUPER_MAGIC;
}

/** The id of the mount `fd` is on, from its fdinfo (Linux 3.15). */
export function mountId(fd: number): string {
  const info = Deno.readTextFileSync(`/proc/self/fdinfo/${fd}`);
  const match = /^mnt_id:\s*(\d+)/m.exec(info);
  if (!match) throw new SyscallError("openat2", `/proc/self/fdinfo/${fd}`, EXDEV);
  return match[1];
}

/**
 * An `O_PATH` descriptor of the directory `path` (relative, non-empty) below
 * `rootFd`, every component a real directory: no symlink (RESOLVE_NO_SYMLINKS),
 * nothing above the root. Returns `-errno` instead of throwing (ENOENT, ELOOP,
 * ENOTDIR): an extractor asks this once an entry and looks closer only when it
 * fails, so a miss must cost no error object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openPath, tryOpenDirBelow } from "./in_root.ts";
 * import { closeFd } from "./sys.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/usr/lib`, { recursive: true });
 * Deno.symlinkSync("usr/lib", `${dir}/lib`);
 * const root = openPath(dir, { directory: true });
 * const fd = tryOpenDirBelow(root, "usr/lib");
 * assert.ok(fd >= 0);
 * assert.equal(tryOpenDirBelow(root, "lib"), -20); // a symlink, no directory: -ENOTDIR
 * [fd, root].forEach(closeFd);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function tryOpenDirBelow(rootFd: number, path: string): number {
  setHow(
    O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW,
    RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS,
  );
  const fd = sym.syscall(SYS_OPENAT2, BigInt(rootFd), cString(path), HOW_BYTES, HOW_SIZE);
  if (fd >= 0n) return Number(fd);
  const code = errno();
  if (code !== ENOSYS) return -code;
  try {
    return walkInRoot(rootFd, path, { symlinks: "refuse", directory: true });
  } catch (error) {
    if (error instanceof SyscallError) return -error.errno;
    throw error;
  }
}

/**
 * openat2's `struct open_how` (flags, mode, resolve: three u64), one for
 * every lookup, written as 32-bit words (both architectures are little
 * endian, and every flag fits the low word): a BigInt array made and filled
 * for each lookup was a good part of its cost.
 */
const HOW_WORDS = new Uint32Array(6);
const HOW_BYTES = new Uint8Array(HOW_WORDS.buffer);
const HOW_SIZE = 24n;

function setHow(flags: number, resolve: number): void {
  HOW_WORDS[0] = flags;
  HOW_WORDS[4] = resolve;
}

/** `path` without its leading slashes (a path in the root is relative to it). */
function withoutLeadingSlashes(path: string): string {
  let start = 0;
  while (path.charCodeAt(start) === SLASH) start++;
  return start === 0 ? path : path.slice(start);
}
const SLASH = 47;

/**
 * An `O_PATH` descriptor of the directory `name` below the directory `dirFd`,
 * looked up as the kernel does (for plash's own store, not an image's
 * paths); `shown` names it in the error.
 */
export function openPathAt(dirFd: number, name: string, shown: string): number {
  const flags = O_PATH | O_CLOEXEC | O_DIRECTORY;
  return check(sym.openat(dirFd, cString(name), flags, 0), "openat", shown);
}

/**
 * An `O_PATH` descriptor of the entry `name` of the directory `dirFd` itself,
 * never followed if it is a symlink: what {@linkcode makeDirAt} or
 * {@linkcode makeFileAt} just made, without a second lookup from the root.
 */
export function openMadeAt(dirFd: number, name: string, shown: string, directory: boolean): number {
  const flags = O_PATH | O_CLOEXEC | O_NOFOLLOW | (directory ? O_DIRECTORY : 0);
  return check(sym.openat(dirFd, cString(name), flags, 0), "openat", shown);
}

/** Makes directory `name` in the directory `dirFd` (never following anything). */
export function makeDirAt(dirFd: number, name: string, shown: string, mode = 0o755): void {
  check(sym.mkdirat(dirFd, cString(name), mode), "mkdirat", shown);
}

/** Makes the empty file `name` in the directory `dirFd`; fails if anything is there. */
export function makeFileAt(dirFd: number, name: string, shown: string, mode = 0o644): void {
  const flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  sym.close(check(sym.openat(dirFd, cString(name), flags, mode), "openat", shown));
}

/** The target of the symlink open as `O_PATH|O_NOFOLLOW` descriptor `fd`. */
export function readLinkFd(fd: number, shown: string): string {
  const buffer = new Uint8Array(4096);
  const length = check(
    sym.readlinkat(fd, cString(""), buffer, BigInt(buffer.length)),
    "readlinkat",
    shown,
  );
  return new TextDecoder().decode(buffer.subarray(0, length));
}

/**
 * The target of the symlink open as `O_PATH|O_NOFOLLOW` descriptor `fd`, or
 * undefined when `fd` is not a symlink (a stat of `/proc/self/fd/N` would
 * tell about the magic link, not the file).
 */
export function symlinkTarget(fd: number, shown: string): string | undefined {
  try {
    return readLinkFd(fd, shown);
  } catch (error) {
    // readlinkat(fd, "") of what is not a link fails with ENOENT (EINVAL on older kernels).
    if (error instanceof SyscallError && ["ENOENT", "EINVAL"].includes(error.code)) {
      return undefined;
    }
    throw error;
  }
}

/** The path that reaches what descriptor `fd` refers to, for mount(2) and stat. */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}
