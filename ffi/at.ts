/**
 * File calls relative to a directory descriptor, or on an open descriptor:
 * what an extractor needs to write an entry with one lookup of its parent
 * (see `tryOpenDirBelow` in `in_root.ts`) instead of a path walk in every
 * call. None of them follows a symlink in the last component.
 *
 * The `try` calls return `-errno` rather than throw: they are the hot path,
 * and the caller handles the one error it expects (EEXIST) by looking closer.
 *
 * @example
 * ```ts
 * import { createFileAt, setFileTimes, writeAll } from "./at.ts";
 * import { closeFd } from "./sys.ts";
 * import { openPath } from "./in_root.ts";
 *
 * const dir = openPath("/tmp", { directory: true });
 * const fd = createFileAt(dir, "hello", 0o600);
 * if (fd >= 0) {
 *   writeAll(fd, new TextEncoder().encode("hi\n"), "/tmp/hello");
 *   setFileTimes(fd, 0, 0, "/tmp/hello");
 *   closeFd(fd);
 * }
 * ```
 *
 * @module
 */

import { check, SyscallError } from "./errors.ts";
import { cString, errno } from "./libc.ts";

/**
 * Bound with `Deno.dlopen`, unlike `libc.ts`'s lazy pointers: V8 then calls
 * them as fast API calls, 0.1 µs a call against 0.7 µs through
 * `UnsafeFnPointer` (measured with a loop of 200,000 calls). An extraction
 * makes five or six calls an entry; binding these costs about 1 ms once,
 * when the tar code loads (never on the start path).
 */
const sym = Deno.dlopen("libc.so.6", {
  openat: { parameters: ["i32", "buffer", "i32", "u32"], result: "i32" },
  mkdirat: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  symlinkat: { parameters: ["buffer", "i32", "buffer"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  fchown: { parameters: ["i32", "u32", "u32"], result: "i32" },
  fchownat: { parameters: ["i32", "buffer", "u32", "u32", "i32"], result: "i32" },
  fchmod: { parameters: ["i32", "u32"], result: "i32" },
  fsetxattr: { parameters: ["i32", "buffer", "buffer", "usize", "i32"], result: "i32" },
  futimens: { parameters: ["i32", "buffer"], result: "i32" },
  utimensat: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  sendfile: { parameters: ["i32", "i32", "buffer", "usize"], result: "isize" },
  fdatasync: { parameters: ["i32"], result: "i32" },
}).symbols;

const AARCH64 = Deno.build.arch === "aarch64";
const O_WRONLY = 0o1;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_NOFOLLOW = AARCH64 ? 0o100000 : 0o400000;
const O_CLOEXEC = 0o2000000;
const AT_SYMLINK_NOFOLLOW = 0x100;
const CREATE = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
/** For the `at` calls: a relative name is taken from the working directory, as open(2) does. */
export const AT_FDCWD = -100;
const EINVAL = 22;
const ENOSYS = 38;

/** Creates the new regular file `name` in `dirFd` for writing: its descriptor, or `-errno`. */
export function createFileAt(dirFd: number, name: string, mode: number): number {
  const fd = sym.openat(dirFd, cString(name), CREATE, mode);
  return fd < 0 ? -errno() : fd;
}

/** Makes directory `name` in `dirFd`: 0, or `-errno` (EEXIST when something is there). */
export function tryMakeDirAt(dirFd: number, name: string, mode: number): number {
  return sym.mkdirat(dirFd, cString(name), mode) < 0 ? -errno() : 0;
}

/** Makes the symlink `name` -> `target` in `dirFd`: 0, or `-errno`. */
export function trySymlinkAt(target: string, dirFd: number, name: string): number {
  return sym.symlinkat(cString(target), dirFd, cString(name)) < 0 ? -errno() : 0;
}

/** Writes all of `bytes` to `fd` (a file: no short writes but at the end of the disk). */
export function writeAll(fd: number, bytes: Uint8Array, shown: string): void {
  for (let done = 0; done < bytes.length;) {
    const rest = done === 0 ? bytes : bytes.subarray(done);
    const written = Number(sym.write(fd, rest, BigInt(rest.length)));
    if (written < 0) throw new SyscallError("write", shown, errno());
    done += written;
  }
}

/** The regular file `path` opened for reading, never through a symlink as its last component. */
export function openToRead(path: string): number {
  return check(sym.openat(AT_FDCWD, cString(path), O_NOFOLLOW | O_CLOEXEC, 0), "open", path);
}

/** Reads into `buffer` from `fd`'s offset: the count read, 0 at the end. */
export function readSome(fd: number, buffer: Uint8Array, shown: string): number {
  const read = Number(sym.read(fd, buffer, BigInt(buffer.length)));
  if (read < 0) throw new SyscallError("read", shown, errno());
  return read;
}

/**
 * Copies up to `count` bytes from `inFd`'s offset to `outFd` inside the
 * kernel (sendfile(2): the pages go straight from one file to the other,
 * never through this process); where the files do not allow it, through a
 * buffer. Returns the count copied: less only when `inFd` ended first.
 */
export function sendFile(outFd: number, inFd: number, count: number, shown: string): number {
  let done = 0;
  while (done < count) {
    const sent = Number(sym.sendfile(outFd, inFd, null, BigInt(count - done)));
    if (sent === 0) break;
    if (sent > 0) {
      done += sent;
      continue;
    }
    const code = errno();
    if (done > 0 || (code !== EINVAL && code !== ENOSYS)) {
      throw new SyscallError("sendfile", shown, code);
    }
    return copyThrough(outFd, inFd, count, shown);
  }
  return done;
}

function copyThrough(outFd: number, inFd: number, count: number, shown: string): number {
  const buffer = new Uint8Array(Math.min(count, 1 << 20));
  let done = 0;
  while (done < count) {
    const read = readSome(inFd, buffer.subarray(0, Math.min(buffer.length, count - done)), shown);
    if (read === 0) break;
    writeAll(outFd, buffer.subarray(0, read), shown);
    done += read;
  }
  return done;
}

/** fdatasync(2): `fd`'s data on the disk before anything is renamed onto it. */
export function syncData(fd: number, shown: string): void {
  check(sym.fdatasync(fd), "fdatasync", shown);
}

/** fchown(2) of the open file `fd`. */
export function setFileOwner(fd: number, uid: number, gid: number, shown: string): void {
  check(sym.fchown(fd, uid, gid), "fchown", shown);
}

/** fchmod(2) of the open file `fd` (after its owner: chown clears setuid bits). */
export function setFileMode(fd: number, mode: number, shown: string): void {
  check(sym.fchmod(fd, mode), "fchmod", shown);
}

/** Sets one extended attribute of the open file `fd`. */
export function setFileXattr(fd: number, name: string, value: Uint8Array, shown: string): void {
  const copy = new Uint8Array(value);
  check(
    sym.fsetxattr(fd, cString(name), copy, BigInt(copy.length), 0),
    "fsetxattr",
    `${shown} ${name}`,
  );
}

/** The owner of `name` in `dirFd` itself (a symlink's own). */
export function setOwnerAt(dirFd: number, name: string, uid: number, gid: number, shown: string) {
  check(sym.fchownat(dirFd, cString(name), uid, gid, AT_SYMLINK_NOFOLLOW), "fchownat", shown);
}

/** Access and modification times (seconds, fractions allowed) of the open file `fd`. */
export function setFileTimes(fd: number, atime: number, mtime: number, shown: string): void {
  check(sym.futimens(fd, timespecs(atime, mtime)), "futimens", shown);
}

/** Times of `name` in `dirFd` itself, not following a symlink. */
export function setTimesAt(
  dirFd: number,
  name: string,
  atime: number,
  mtime: number,
  shown: string,
): void {
  check(
    sym.utimensat(dirFd, cString(name), timespecs(atime, mtime), AT_SYMLINK_NOFOLLOW),
    "utimensat",
    shown,
  );
}

const TIMES = new BigInt64Array(4);
const TIMES_BYTES = new Uint8Array(TIMES.buffer);

function timespecs(atime: number, mtime: number): Uint8Array<ArrayBuffer> {
  const split = (t: number, i: number) => {
    const seconds = Math.floor(t);
    TIMES[i] = BigInt(seconds);
    TIMES[i + 1] = BigInt(Math.round((t - seconds) * 1e9));
  };
  split(atime, 0);
  split(mtime, 2);
  return TIMES_BYTES;
}
