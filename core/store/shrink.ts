/**
 * `plash shrink`: frees space by removing about half of the images, the
 * oldest unnamed leaves first (an image others build on is not a leaf).
 *
 * @module
 */

import { allMaps } from "./map.ts";
import { allImageIds, ancestry } from "./nodes.ts";
import { removeImage } from "./remove.ts";

/** Removes the oldest unnamed leaf images until half of the images are gone; returns their ids. */
export function shrinkStore(data: string): number[] {
  const removed: number[] = [];
  const named = new Set(
    allMaps(data).map((map) => map.target.slice(map.target.lastIndexOf("/") + 1)),
  );
  const target = Math.ceil(allImageIds(data).length / 2);
  while (removed.length < target) {
    const ids = allImageIds(data);
    const parents = new Set(ids.map((id) => ancestry(data, id).slice(0, -1)).flat());
    const leaf = ids.find((id) => !parents.has(id) && !named.has(String(id)));
    if (leaf === undefined) break;
    removed.push(...removeImage(data, leaf));
  }
  return removed;
}
