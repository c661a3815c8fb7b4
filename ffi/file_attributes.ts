/**
 * Owners, times and extended attributes of files, not following symlinks.
 *
 * Not in `sys.ts`, which every start loads: a run changes no file's attributes; the tree, tar and
 * build code do.
 *
 * @module
 */

import { check } from "./errors.ts";
import { bindLibc, cString, sym } from "./libc.ts";
import { decodeText } from "./sys.ts";

/** The C library's functions only this module calls, out of every start's table (`libc.ts`). */
const SIGNATURES = {
  utimensat: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  lgetxattr: { parameters: ["buffer", "buffer", "buffer", "usize"], result: "isize" },
} as const satisfies Record<string, Deno.ForeignFunction>;
const calls = bindLibc(SIGNATURES);

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;

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
    calls.utimensat(AT_FDCWD, cString(path), new Uint8Array(times.buffer), AT_SYMLINK_NOFOLLOW),
    "utimensat",
    path,
  );
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
  const size = check(calls.lgetxattr(cpath, cname, null, 0n), "lgetxattr", `${path} ${name}`);
  const buffer = new Uint8Array(size);
  const length = check(
    calls.lgetxattr(cpath, cname, buffer, BigInt(size)),
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
