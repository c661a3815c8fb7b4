/**
 * Typed errors for failed system calls.
 *
 * @module
 */

import { errno, errnoText } from "./libc.ts";

/** Names of the errno values plash reacts to; the rest keep their number. */
const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  10: "ECHILD",
  13: "EACCES",
  16: "EBUSY",
  17: "EEXIST",
  18: "EXDEV",
  20: "ENOTDIR",
  21: "EISDIR",
  22: "EINVAL",
  28: "ENOSPC",
  30: "EROFS",
  36: "ENAMETOOLONG",
  38: "ENOSYS",
  39: "ENOTEMPTY",
  40: "ELOOP",
  61: "ENODATA",
  75: "EOVERFLOW",
  95: "EOPNOTSUPP",
};

/** A system call failed: names the call, the path it was given and errno's text. */
export class SyscallError extends Error {
  /** The errno value, e.g. 2. */
  readonly errno: number;
  /** The errno name, e.g. "ENOENT" (or "errno N" when plash has no name for it). */
  readonly code: string;
  /** The libc function that failed. */
  readonly call: string;

  constructor(call: string, path: string | undefined, code: number, detail?: string) {
    const where = path === undefined ? call : `${call} ${path}`;
    super(`${where}: ${detail ?? errnoText(code)}`);
    this.name = "SyscallError";
    this.errno = code;
    this.code = ERRNO_NAMES[code] ?? `errno ${code}`;
    this.call = call;
  }
}

/** Throws a {@linkcode SyscallError} built from the current errno when `result` is negative. */
export function check(result: number | bigint, call: string, path?: string): number {
  if (result < 0) throw new SyscallError(call, path, errno());
  return Number(result);
}
