/**
 * The capabilities of this thread.
 *
 * Not in `sys.ts`, which every start loads: only the checks of what the host supports ask.
 *
 * @module
 */

import { check } from "./errors.ts";
import { sym } from "./libc.ts";

/** _LINUX_CAPABILITY_VERSION_3: capget(2) fills two 32-bit halves of each set. */
const CAPABILITY_VERSION_3 = 0x20080522;

/**
 * The effective capability set of this thread, bit N for capability N: one
 * capget(2), where the CapEff line of /proc/self/status cost a start a file
 * read and its parse (about 0.1 ms).
 */
export function effectiveCapabilities(): bigint {
  // struct __user_cap_header_struct { u32 version; int pid } (0: this thread), and two of
  // struct __user_cap_data_struct { u32 effective, permitted, inheritable }.
  const header = new Uint32Array([CAPABILITY_VERSION_3, 0]);
  const data = new Uint32Array(6);
  check(
    sym.capget(new Uint8Array(header.buffer), new Uint8Array(data.buffer)),
    "capget",
    "this thread",
  );
  return BigInt(data[0]) | BigInt(data[3]) << 32n;
}
