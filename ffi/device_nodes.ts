/**
 * Device and fifo nodes: mknod(2) and device numbers.
 *
 * Not in `sys.ts`, which every start loads: a plain run makes no device node.
 *
 * @module
 */

import { check } from "./errors.ts";
import { bindLibc, cString } from "./libc.ts";

/** The C library's function only this module calls, out of every start's table (`libc.ts`). */
const SIGNATURES = {
  mknod: { parameters: ["buffer", "u32", "u64"], result: "i32" },
} as const satisfies Record<string, Deno.ForeignFunction>;
const calls = bindLibc(SIGNATURES);

/** File type bits for {@linkcode mknod}. */
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;

/** mknod(2) with the device number built from major and minor as glibc's makedev does. */
export function mknod(path: string, mode: number, major = 0, minor = 0): void {
  const dev = ((BigInt(major) & 0xfffn) << 8n) | ((BigInt(major) & ~0xfffn) << 32n) |
    (BigInt(minor) & 0xffn) | ((BigInt(minor) & ~0xffn) << 12n);
  check(calls.mknod(cString(path), mode, dev), "mknod", path);
}

/** Splits a `Deno.FileInfo.rdev` into major and minor numbers. */
export function splitDevice(rdev: number): { major: number; minor: number } {
  const dev = BigInt(rdev);
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}
