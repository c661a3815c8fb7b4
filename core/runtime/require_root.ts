/**
 * The guard for what only works as real root or inside plash's user namespace.
 *
 * @module
 */

import { effectiveIds } from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";

/** Throws unless plash runs as root; `why` says what to do instead. */
export function requireRoot(what: string, why: string): void {
  if (effectiveIds().uid !== 0) throw new PlashError(`${what}: ${why}`);
}
