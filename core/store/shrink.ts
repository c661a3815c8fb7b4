/**
 * `plash shrink`: frees space by removing about half of the images, the
 * oldest leaves first (an image others build on is not a leaf), built layers
 * and imports alike, but never one that has a user's name in the map.
 *
 * @module
 */

import { keyKind } from "./keys.ts";
import { removeImage } from "./remove.ts";
import type { Store } from "./store.ts";
import { removeTree, type TreeRemover } from "./tmp.ts";

/**
 * Removes the oldest unnamed leaf images until half of the images are gone,
 * their files with `remove`; returns their ids.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shrinkStore } from "./shrink.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const unnamed = store.addLayer(0, store.makeTmpDir());
 * store.setMap("kept", store.addLayer(0, store.makeTmpDir()));
 * assert.deepEqual(shrinkStore(store), [unnamed]);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export function shrinkStore(store: Store, remove: TreeRemover = removeTree): number[] {
  const removed: number[] = [];
  // A user's names only: every built layer has a cache key in the map too.
  const named = new Set(
    store.mapEntries().filter((entry) => keyKind(entry.key).shown === "name")
      .map((entry) => entry.id),
  );
  const target = Math.ceil(store.imageIds().length / 2);
  const gone = new Set<number>();
  while (removed.length < target) {
    const chains = store.imageIds().map(chainIfThere(store)).filter((chain) => chain.length);
    const parents = new Set(chains.flatMap((chain) => chain.slice(0, -1)));
    const leaf = chains.map((chain) => chain[chain.length - 1])
      .find((id) => !parents.has(id) && !named.has(id) && !gone.has(id));
    if (leaf === undefined) break;
    try {
      removed.push(...removeImage(store, leaf, remove));
    } catch (error) {
      // Another process removed it first: its space is freed all the same.
      if (store.exists(leaf)) throw error;
      gone.add(leaf);
    }
  }
  return removed;
}

/** The chain of an image, or none when another process removed it since it was listed. */
function chainIfThere(store: Store): (id: number) => number[] {
  return (id) => {
    try {
      return store.chain(id);
    } catch {
      return [];
    }
  };
}
