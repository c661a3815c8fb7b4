/**
 * Removing directory trees whoever owns their files, for a command that runs
 * as its caller (`rm`, `clean`, `shrink`, `purge`, a build step's
 * leftovers). Each tree is removed as the caller, as root or not; one a
 * caller without root may not remove (files of its subordinate ids in
 * directories of those ids, which a container made; a directory closed to
 * it) is put aside, and when the command's work is done one child removes
 * all of those as root of plash's user namespace, with system calls alone
 * (`ffi/remove_tree.ts`): plash does not start again, and a command makes
 * one child at most, none when every file is the caller's to remove.
 *
 * The store's functions take the remover as a parameter (`TreeRemover` in
 * `core/store/tmp.ts`) rather than import this module: the store is below
 * the runtime, and the rest of what they do (renames, links, counts) stays
 * theirs, in their order.
 *
 * @module
 */

import { prepareTreeRemoval, removeTreeBySyscalls } from "../../ffi/remove_tree.ts";
import { removeTree } from "../store/tmp.ts";
import { whileNamespaceRoot } from "./user_namespace.ts";

/**
 * Runs `body` with a remover (a `TreeRemover` for the store's functions)
 * that removes as the caller and puts aside what the caller may not remove;
 * then, whether `body` succeeded or not (nothing half-removed is left),
 * removes what was put aside in one child as root of plash's user
 * namespace. Returns what `body` returns.
 *
 * @example
 * ```ts
 * import { removingTrees } from "./tree_removal.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/a/b`, { recursive: true });
 * Deno.chmodSync(`${dir}/a`, 0); // closed to its owner: root of the namespace removes it
 * await removingTrees((remove) => remove(dir));
 * ```
 */
export async function removingTrees<T>(
  body: (remove: (path: string) => void) => T,
): Promise<Awaited<T>> {
  const refused: string[] = [];
  const remove = (path: string) => {
    try {
      removeTree(path);
    } catch (error) {
      if (Deno.uid() === 0 || !(error instanceof Deno.errors.PermissionDenied)) throw error;
      refused.push(path);
    }
  };
  let failed = false;
  try {
    return await body(remove);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    if (refused.length) {
      prepareTreeRemoval();
      const removing = whileNamespaceRoot(() => {
        for (const path of refused) removeTreeBySyscalls(path);
      });
      // When `body` failed, its error is the one to say, not the removal's after it.
      await (failed ? removing.catch(() => {}) : removing);
    }
  }
}
