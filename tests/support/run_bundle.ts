/**
 * Test support: an OCI runtime bundle run by runc itself, as a user would
 * run the bundle `plash bundle` wrote (its state beside it, in `DIR.state`).
 *
 * @module
 */

import { type Output, runCommand } from "./command.ts";

/** `RUNC --root DIR.state run -b DIR t`, as root or rootless (no XDG_RUNTIME_DIR of its own). */
export function runBundle(runc: string, dir: string): Promise<Output> {
  return runCommand(runc, ["--root", `${dir}.state`, "run", "-b", dir, "t"], {
    env: { XDG_RUNTIME_DIR: "" },
  });
}
