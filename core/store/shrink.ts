/**
 * `plash shrink`: frees space by removing about half of the images, the
 * oldest unnamed leaves first (an image others build on is not a leaf).
 *
 * @module
 */

import { removeImage } from "./remove.ts";
import type { Store } from "./store.ts";

/**
 * Removes the oldest unnamed leaf images until half of the images are gone;
 * returns their ids.
 *
 * @example
 * ```ts
 * import { shrinkStore } from "./shrink.ts";
 * import { Store } from "./store.ts";
 *
 * console.log(shrinkStore(Store.open()));
 * ```
 */
export function shrinkStore(store: Store): number[] {
  const removed: number[] = [];
  const named = new Set(store.mapEntries().map((entry) => entry.id));
  const target = Math.ceil(store.imageIds().length / 2);
  while (removed.length < target) {
    const ids = store.imageIds();
    const parents = new Set(ids.map((id) => store.chain(id).slice(0, -1)).flat());
    const leaf = ids.find((id) => !parents.has(id) && !named.has(id));
    if (leaf === undefined) break;
    removed.push(...removeImage(store, leaf));
  }
  return removed;
}
