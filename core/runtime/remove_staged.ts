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
 * Removes `staged`, a directory of the store's tmp/ that holds what a
 * container that has ended left (its writable layer, overlay's work dir),
 * whoever owns what is in it.
 *
 * @example
 * ```ts
 * import { removeStaged } from "./remove_staged.ts";
 *
 * const staged = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${staged}/data/etc`, { recursive: true });
 * await removeStaged(staged);
 * ```
 */
export async function removeStaged(staged: string): Promise<void> {
  try {
    return removeTree(staged);
  } catch (error) {
    if (Deno.uid() === 0 || !(error instanceof Deno.errors.PermissionDenied)) throw error;
  }
  prepareTreeRemoval();
  await whileNamespaceRoot(() => removeTreeBySyscalls(staged));
}

/**
 * Takes back what a failed command wrote to `dir`, whoever owns it (as
 * {@linkcode removeStaged}): `dir` itself when the command `made` it, else
 * everything in it.
 */
export async function removeWritten(dir: string, made: boolean): Promise<void> {
  if (made) return await removeStaged(dir);
  for (const { name } of Deno.readDirSync(dir)) await removeStaged(`${dir}/${name}`);
}
