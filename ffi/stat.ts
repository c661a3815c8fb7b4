/**
 * What `Deno.lstat` does not tell of a file: its ctime to the nanosecond
 * (Deno gives whole seconds), the one time no program can set back, which
 * tells that a file changed even when its size and mtime were restored; its
 * mtime to the nanosecond; and its birth time, which tells a new inode that
 * reuses a deleted one's number.
 *
 * @example
 * ```ts
 * import { inodeTimes } from "./stat.ts";
 *
 * inodeTimes("/etc/passwd"); // { changed: 1796619686940535874n, modified: ..., born: ... }
 * ```
 *
 * @module
 */

import { SyscallError } from "./errors.ts";
import { cString, errno, sym } from "./libc.ts";

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const STATX_MTIME = 0x40;
const STATX_CTIME = 0x80;
const STATX_BTIME = 0x800;
/**
 * struct statx: 256 bytes; stx_mask at 0, stx_btime at 80, stx_ctime at 96,
 * stx_mtime at 112 (i64 s, u32 ns).
 */
const STATX_SIZE = 256;
const BTIME_OFFSET = 80;
const CTIME_OFFSET = 96;
const MTIME_OFFSET = 112;

const buffer = new Uint8Array(STATX_SIZE);
const view = new DataView(buffer.buffer);

/** An inode's change and birth times, in nanoseconds since the epoch. */
export interface InodeTimes {
  changed: bigint;
  /** The mtime to the nanosecond (Deno gives milliseconds): what restoring one needs. */
  modified: bigint;
  /** 0 where the filesystem keeps no birth time. */
  born: bigint;
}

/** The ctime, mtime and birth time of `path` (the link itself for a symlink). */
export function inodeTimes(path: string): InodeTimes {
  const mask = STATX_MTIME | STATX_CTIME | STATX_BTIME;
  if (sym.statx(AT_FDCWD, cString(path), AT_SYMLINK_NOFOLLOW, mask, buffer) < 0) {
    throw new SyscallError("statx", path, errno());
  }
  const hasBirth = (view.getUint32(0, true) & STATX_BTIME) !== 0;
  return {
    changed: nanoseconds(CTIME_OFFSET),
    modified: nanoseconds(MTIME_OFFSET),
    born: hasBirth ? nanoseconds(BTIME_OFFSET) : 0n,
  };
}

function nanoseconds(offset: number): bigint {
  return view.getBigInt64(offset, true) * 1_000_000_000n +
    BigInt(view.getUint32(offset + 8, true));
}
