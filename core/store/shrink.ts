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
  // A user's names only: every built layer has a cache key in the map too.
  const named = new Set(
    store.mapEntries().filter((entry) => keyKind(entry.key).shown === "name")
      .map((entry) => entry.id),
  );
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
