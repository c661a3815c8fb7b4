/**
 * Which of the system calls that newer kernels added this kernel has (for
 * `plash doctor`: plash itself falls back when a call fails with ENOSYS).
 *
 * @module
 */

import { errno } from "./libc.ts";

/**
 * Each call's number (the same on x86_64 and aarch64: the unified table of
 * Linux 5.x) and arguments it refuses at once (EINVAL, EFAULT, EPERM) without
 * doing anything, where the kernel has it.
 */
const CALLS = {
  fsopen: [430n, [0n, -1n]], // flags that are not FSOPEN_CLOEXEC
  clone3: [435n, [0n, 0n]], // a size below the smallest struct clone_args
  close_range: [436n, [1n, 0n, 0n]], // first above last
  openat2: [437n, [-100n, 0n, 0n, 0n]], // a size below struct open_how's
  mount_setattr: [442n, [-1n, 0n, -1n, 0n, 0n]], // unknown flags
} as const satisfies Record<string, readonly [bigint, readonly bigint[]]>;

/** A call plash can ask about. */
export type KernelCall = keyof typeof CALLS;

let syscall:
  | ((nr: bigint, a: bigint, b: bigint, c: bigint, d: bigint, e: bigint) => bigint)
  | undefined;

/** Whether the kernel has system call `name` (false when it fails with ENOSYS). */
export function kernelHas(name: KernelCall): boolean {
  if (syscall === undefined) {
    const library = Deno.dlopen("libc.so.6", {
      syscall: { parameters: ["i64", "i64", "i64", "i64", "i64", "i64"], result: "i64" },
    });
    syscall = library.symbols.syscall;
  }
  const [number, args] = CALLS[name];
  const [a = 0n, b = 0n, c = 0n, d = 0n, e = 0n] = args;
  return syscall(number, a, b, c, d, e) >= 0n || errno() !== ENOSYS;
}

const ENOSYS = 38;
