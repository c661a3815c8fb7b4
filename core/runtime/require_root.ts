/**
 * The guard for code paths that work only as root until rootless mode lands.
 *
 * @module
 */

import { effectiveIds } from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";

/** Throws unless plash runs as root. */
export function requireRoot(what: string): void {
  if (effectiveIds().uid !== 0) {
    throw new PlashError(`${what}: rootless mode is not implemented yet: run plash as root`);
  }
}
