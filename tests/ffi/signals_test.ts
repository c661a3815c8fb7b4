/**
 * The signals plash's process ignores, read from procfs for the reset before
 * an exec (execve keeps ignored signals; the rest it resets itself).
 */

import assert from "node:assert/strict";
import { ignoredSignals } from "../../ffi/sys.ts";

const SIGHUP = 1;
const SIGPIPE = 13;

/** Whether `signal` is in `mask` (two 32-bit halves, high first). */
function has(mask: [number, number], signal: number): boolean {
  return (BigInt(mask[0]) << 32n | BigInt(mask[1])) >> BigInt(signal - 1) & 1n ? true : false;
}

Deno.test("ignoredSignals reads SigIgn: Deno ignores SIGPIPE", () => {
  const mask = ignoredSignals();
  assert.ok(mask);
  const status = Deno.readTextFileSync("/proc/thread-self/status");
  const shown = BigInt("0x" + /^SigIgn:\s*(\w+)/m.exec(status)![1]);
  assert.equal(BigInt(mask[0]) << 32n | BigInt(mask[1]), shown);
  assert.ok(has(mask, SIGPIPE));
  assert.ok(!has(mask, SIGHUP));
});
