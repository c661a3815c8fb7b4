/**
 * Test support: running plash as on an old kernel (before 5.2), by a seccomp
 * filter that makes the system calls newer kernels added fail with ENOSYS, as
 * a kernel without them does (DESIGN.md, "Old kernels").
 *
 * @module
 */

/**
 * What Linux 5.2 to 5.12 added that plash or Deno may call: openat2 (5.6),
 * the new mount API (5.2), mount_setattr (5.12), clone3 (5.3), close_range
 * (5.9).
 */
export const NEW_SYSCALLS = [
  "openat2",
  "fsopen",
  "fsconfig",
  "fsmount",
  "fspick",
  "move_mount",
  "open_tree",
  "mount_setattr",
  "clone3",
  "close_range",
];

const FILTER = new URL("./old_kernel_filter.py", import.meta.url).pathname;
/** Debian's python3-seccomp is for Debian's own python3, whatever else is on PATH. */
const PYTHON = "/usr/bin/python3";

/**
 * The prefix that runs a program with `denied` failing with ENOSYS: pass it
 * as `prefix` to `TestStore.plash`.
 *
 * @example
 * ```ts
 * import { oldKernel } from "./old_kernel.ts";
 * import { TestStore } from "./plash.ts";
 *
 * using store = new TestStore();
 * await store.plash(["run", "1", "true"], { prefix: oldKernel() });
 * ```
 */
export function oldKernel(denied: string[] = NEW_SYSCALLS): string[] {
  return [PYTHON, FILTER, ...denied, "--"];
}
