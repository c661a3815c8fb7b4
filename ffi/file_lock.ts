/**
 * An exclusive flock(2) that does not wait.
 *
 * Not in `sys.ts`, which every start loads: only the store's locks take one.
 *
 * @module
 */

import { SyscallError } from "./errors.ts";
import { bindLibc, errno } from "./libc.ts";

/** The C library's functions only this module calls, out of every start's table (`libc.ts`). */
const SIGNATURES = {
  flock: { parameters: ["i32", "i32"], result: "i32" },
} as const satisfies Record<string, Deno.ForeignFunction>;
const calls = bindLibc(SIGNATURES);

const LOCK_EX_NB = 2 | 4;
const EWOULDBLOCK = 11;

/**
 * flock(2) an exclusive lock on `fd` without waiting: true when it was free
 * (the lock is then this process's until `fd` is closed), false when another
 * holds it.
 */
export function tryLockExclusive(fd: number, shown: string): boolean {
  if (calls.flock(fd, LOCK_EX_NB) === 0) return true;
  const code = errno();
  if (code === EWOULDBLOCK) return false;
  throw new SyscallError("flock", shown, code);
}
