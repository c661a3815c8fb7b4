/**
 * Removing a directory tree with system calls alone: no Deno file API, no
 * decoding of names, so that a child that shares plash's memory (made by
 * clone(2), see `spawn_in_namespaces.ts`) can do it as root of plash's user
 * namespace, where it may remove files of the caller's subordinate ids that
 * the caller may not. Call {@linkcode prepareTreeRemoval} before the clone:
 * binding a libc function makes Deno resources, which a clone child must not.
 *
 * @example
 * ```ts
 * import { prepareTreeRemoval, removeTreeBySyscalls } from "./remove_tree.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/a/b`, { recursive: true });
 * Deno.writeTextFileSync(`${dir}/a/b/c`, "c\n");
 * prepareTreeRemoval();
 * removeTreeBySyscalls(dir);
 * ```
 *
 * @module
 */

import { SyscallError } from "./errors.ts";
import { bindNow, cString, errno, sym } from "./libc.ts";

const AT_FDCWD = -100;
const AT_REMOVEDIR = 0x200;
const ENOENT = 2;
const EISDIR = 21;
const AARCH64 = Deno.build.arch === "aarch64";
const O_DIRECTORY = AARCH64 ? 0o40000 : 0o200000;
const O_NOFOLLOW = AARCH64 ? 0o100000 : 0o400000;
const O_CLOEXEC = 0o2000000;
const DIRECTORY = O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
/** Where a linux_dirent64's fields are: d_reclen (u16), then d_type (u8), then the name. */
const RECLEN = 16;
const NAME = 19;

/** Binds the libc functions this module calls; call it before a clone. */
export function prepareTreeRemoval(): void {
  bindNow("openat", "getdents64", "unlinkat", "close", "__errno_location");
}

/**
 * Removes `path` and, when it is a directory, everything in it, symlinks
 * not followed; a path that is not there is no error.
 */
export function removeTreeBySyscalls(path: string): void {
  const name = cString(path);
  if (sym.unlinkat(AT_FDCWD, name, 0) === 0) return;
  const code = errno();
  if (code === ENOENT) return;
  if (code !== EISDIR) throw new SyscallError("unlink", path, code);
  removeDirectoryAt(AT_FDCWD, name, path);
}

/**
 * Removes directory `name` of `dirFd` (`shown` in errors) and what it holds. What is gone when
 * reached is no error: another remover (a `clean` beside an `rm`) may be taking the same tree.
 */
function removeDirectoryAt(dirFd: number, name: Uint8Array, shown: string): void {
  const fd = sym.openat(dirFd, name, DIRECTORY, 0);
  if (fd < 0) {
    const code = errno();
    if (code === ENOENT) return;
    throw new SyscallError("open", shown, code);
  }
  try {
    for (const entry of entryNames(fd, shown)) {
      if (sym.unlinkat(fd, entry, 0) === 0) continue;
      const code = errno();
      if (code === ENOENT) continue;
      const inner = `${shown}/${new TextDecoder().decode(entry.subarray(0, -1))}`;
      if (code !== EISDIR) throw new SyscallError("unlink", inner, code);
      removeDirectoryAt(fd, entry, inner);
    }
  } finally {
    sym.close(fd);
  }
  if (sym.unlinkat(dirFd, name, AT_REMOVEDIR) === 0) return;
  const code = errno();
  if (code !== ENOENT) throw new SyscallError("rmdir", shown, code);
}

/** The names in directory `fd` but `.` and `..`, each a NUL-terminated copy for the `at` calls. */
function entryNames(fd: number, shown: string): Uint8Array[] {
  const names: Uint8Array[] = [];
  const buffer = new Uint8Array(32 * 1024);
  const view = new DataView(buffer.buffer);
  for (;;) {
    const length = Number(sym.getdents64(fd, buffer, BigInt(buffer.length)));
    if (length < 0) {
      const code = errno();
      // Removed since it was opened (by another remover): it holds nothing any more.
      if (code === ENOENT) return names;
      throw new SyscallError("getdents64", shown, code);
    }
    if (length === 0) return names;
    for (let offset = 0; offset < length; offset += view.getUint16(offset + RECLEN, true)) {
      const end = buffer.indexOf(0, offset + NAME);
      const name = buffer.slice(offset + NAME, end + 1);
      if (!isDotOrDotDot(name)) names.push(name);
    }
  }
}

/** Whether a NUL-terminated name is `.` or `..`. */
function isDotOrDotDot(name: Uint8Array): boolean {
  const DOT = 0x2e;
  return (name.length === 2 && name[0] === DOT) ||
    (name.length === 3 && name[0] === DOT && name[1] === DOT);
}

/**
 * Removes `path` (a C string, from `cString`): the directory, when it is
 * empty, with `directory`, else the file; 0, or the errno value.
 */
export function tryRemoveEntry(path: Uint8Array, directory: boolean): number {
  return sym.unlinkat(AT_FDCWD, path, directory ? AT_REMOVEDIR : 0) < 0 ? errno() : 0;
}
