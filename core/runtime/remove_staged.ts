/**
 * Removing what the container of `create` or of a build step left in the
 * store's tmp/: its writable layer and overlay's work dir. Plash removes
 * them as its caller, as root or not; what a caller without root may not
 * remove (files of its subordinate ids in directories of those ids, which
 * the container made) a child removes as root of plash's user namespace,
 * with system calls alone (`ffi/remove_tree.ts`): plash does not start again.
 *
 * @module
 */

import { prepareTreeRemoval, removeTreeBySyscalls } from "../../ffi/remove_tree.ts";
import { removeTree } from "../store/tmp.ts";
import { whileNamespaceRoot } from "./user_namespace.ts";

/**
 * Removes the changes directory `changes` of a container that has ended
 * (its `data` and `work`), whoever owns what is in it.
 *
 * @example
 * ```ts
 * import { removeStaged } from "./remove_staged.ts";
 *
 * const changes = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${changes}/work/work`, { recursive: true, mode: 0 });
 * await removeStaged(changes);
 * ```
 */
export async function removeStaged(changes: string): Promise<void> {
  // Overlay makes `work/work` with mode 0, as the mounter: root of the namespace, the caller.
  try {
    Deno.chmodSync(`${changes}/work/work`, 0o700);
  } catch {
    // No work dir: the container ended before its overlay was mounted.
  }
  try {
    return removeTree(changes);
  } catch (error) {
    if (Deno.uid() === 0 || !(error instanceof Deno.errors.PermissionDenied)) throw error;
  }
  prepareTreeRemoval();
  await whileNamespaceRoot(() => removeTreeBySyscalls(changes));
}
