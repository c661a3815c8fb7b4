/**
 * What statvfs(3) tells of a filesystem: free space, and its mount flags.
 *
 * Not in `sys.ts`, which every start loads: a run asks neither.
 *
 * @module
 */

import { check } from "./errors.ts";
import { bindLibc, cString } from "./libc.ts";
import { MS } from "./sys.ts";

/** The C library's functions only this module calls, out of every start's table (`libc.ts`). */
const SIGNATURES = {
  statvfs: { parameters: ["buffer", "buffer"], result: "i32" },
} as const satisfies Record<string, Deno.ForeignFunction>;
const calls = bindLibc(SIGNATURES);

/** Bytes available to unprivileged users on the filesystem holding `path` (statvfs). */
export function freeBytes(path: string): number {
  // struct statvfs on 64-bit Linux: f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, ...
  const fields = new BigUint64Array(14);
  check(calls.statvfs(cString(path), new Uint8Array(fields.buffer)), "statvfs", path);
  return Number(fields[1] * fields[4]);
}

/**
 * Whether the filesystem holding `path` has no block or no inode left for
 * unprivileged users (statvfs): what a write there fails with ENOSPC on.
 */
export function filesystemFull(path: string): boolean {
  // f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_favail, ...
  const fields = new BigUint64Array(14);
  check(calls.statvfs(cString(path), new Uint8Array(fields.buffer)), "statvfs", path);
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
  check(calls.statvfs(cString(path), new Uint8Array(fields.buffer)), "statvfs", path);
  let flags = 0n;
  for (const [bit, flag] of MOUNT_FLAG_BITS) if (fields[9] & bit) flags |= flag;
  return flags;
}
