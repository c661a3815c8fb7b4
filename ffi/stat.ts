/**
 * What `Deno.lstat` does not tell of a file: its ctime to the nanosecond
 * (Deno gives whole seconds), the one time no program can set back, which
 * tells that a file changed even when its size and mtime were restored.
 *
 * @example
 * ```ts
 * import { changeTime } from "./stat.ts";
 *
 * changeTime("/etc/passwd"); // 1796619686940535874n
 * ```
 *
 * @module
 */

import { SyscallError } from "./errors.ts";
import { cString, errno, sym } from "./libc.ts";

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const STATX_CTIME = 0x80;
/** struct statx: 256 bytes, stx_ctime (tv_sec i64, tv_nsec u32) at byte 96. */
const STATX_SIZE = 256;
const CTIME_OFFSET = 96;

const buffer = new Uint8Array(STATX_SIZE);
const view = new DataView(buffer.buffer);

/** The ctime of `path` (the link itself for a symlink) in nanoseconds since the epoch. */
export function changeTime(path: string): bigint {
  if (sym.statx(AT_FDCWD, cString(path), AT_SYMLINK_NOFOLLOW, STATX_CTIME, buffer) < 0) {
    throw new SyscallError("statx", path, errno());
  }
  const seconds = view.getBigInt64(CTIME_OFFSET, true);
  return seconds * 1_000_000_000n + BigInt(view.getUint32(CTIME_OFFSET + 8, true));
}
