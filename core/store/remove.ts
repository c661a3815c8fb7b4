/**
 * Removing an image and every image built on it.
 *
 * @module
 */

import { NoImageError, PlashError, wrap } from "../errors.ts";
import { idFromName } from "./ids.ts";
import { removeLink } from "./map.ts";
import type { Store } from "./store.ts";
import { removeTree, tmpPath, type TreeRemover } from "./tmp.ts";
import { removePooledCopies } from "./warm_pool.ts";

/**
 * Removes image `id` with its descendants, the map keys naming them and
 * their warm copies (`warm_pool.ts`); returns the removed ids. Their files
 * are deleted by `remove`. The node is first renamed into tmp/, where it becomes a
 * temporary directory of this process: that hides all of them at once, and
 * needs no new file, so removing works on a full disk (a SIGKILL from here on
 * leaves links that dangle and a directory, both `plash clean`'s). Then their
 * links go and the files are deleted.
 *
 * Another plash may remove the same tree at the same time: whichever renames
 * a node first removes it, and an image already gone (with an ancestor, say)
 * is `no image: ID`, as if this remover had come after. A link another
 * process removed first is done, not an error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeImage } from "./remove.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const base = store.addLayer(0, store.makeTmpDir());
 * const child = store.addLayer(base, store.makeTmpDir());
 * assert.deepEqual(removeImage(store, base).sort(), [base, child]); // and every image built on it
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export function removeImage(
  store: Store,
  id: number,
  remove: TreeRemover = removeTree,
): number[] {
  if (id === 0) throw new PlashError("the empty root image 0 cannot be removed");
  const chain = store.chain(id);
  const relative = store.nodeLink(chain);
  const trash = tmpPath(store);
  try {
    Deno.renameSync(store.nodeOf(chain), trash);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new NoImageError(id, undefined, { cause: error });
    }
    throw wrap(error, `removing image ${id}`);
  }
  try {
    // Walked in tmp/, where no other process reaches: a concurrent remover
    // can neither take a subtree away mid-walk nor add one.
    const removed = [id, ...descendants(trash)];
    for (const each of removed) removeLink(store.indexLink(each));
    for (const entry of store.mapEntries()) {
      if (entry.target !== relative && !entry.target.startsWith(relative + "/")) continue;
      const path = store.mapLink(entry.file);
      // Read again: a name given to another image since (a `tag` beside) stays.
      if (linkTarget(path) === entry.target) removeLink(path);
    }
    removePooledCopies(store, removed, remove);
    return removed;
  } finally {
    remove(trash);
  }
}

/** The ids of every image built on the one at `node`: node directories nested in it. */
function descendants(node: string): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync(node)) {
    const id = idFromName(entry.name);
    if (entry.isDirectory && id !== undefined) {
      found.push(id, ...descendants(`${node}/${entry.name}`));
    }
  }
  return found;
}

/** Where the link `path` points, or undefined when it is gone. */
function linkTarget(path: string): string | undefined {
  try {
    return Deno.readLinkSync(path);
  } catch {
    return undefined;
  }
}
