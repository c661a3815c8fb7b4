/**
 * Removing what the container of `create` or of a build step left in the
 * store's tmp/: its writable layer and overlay's work dir. Plash removes
 * them as its caller, as root or not; what a caller without root may not
 * remove (files of its subordinate ids in directories of those ids, which
 * the container made) a child removes as root of plash's user namespace
 * (`tree_removal.ts`): plash does not start again.
 *
 * @module
 */

import { removingTrees } from "./tree_removal.ts";

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
  await removingTrees((remove) => remove(staged));
}

/**
 * Takes back what a failed command wrote to `dir`, whoever owns it (as
 * {@linkcode removeStaged}): `dir` itself when the command `made` it, else
 * everything in it.
 */
export async function removeWritten(dir: string, made: boolean): Promise<void> {
  // One namespace child at most, for all of it.
  await removingTrees((remove) => {
    if (made) return remove(dir);
    for (const { name } of Deno.readDirSync(dir)) remove(`${dir}/${name}`);
  });
}
