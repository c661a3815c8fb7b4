/**
 * The step before any command that needs root: as root it does nothing; as
 * anyone else it runs the command again as root of a user namespace.
 *
 * @module
 */

import { effectiveIds } from "../../ffi/sys.ts";
import { runInUserNamespace } from "./user_namespace.ts";

/**
 * Returns undefined when this process may go on as root; otherwise runs
 * `plash ARGV...` in a user namespace and returns its exit status.
 */
export async function becomeRoot(argv: string[]): Promise<number | undefined> {
  if (effectiveIds().uid === 0) return undefined;
  return await runInUserNamespace(argv);
}
