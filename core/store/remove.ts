/**
 * Removing an image and every image built on it.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { allMaps } from "./map.ts";
import { ancestry, descendants, indexPath } from "./nodes.ts";
import { makeTmpDir, removeTree } from "./tmp.ts";

/**
 * Removes image `id` with its descendants and the map keys naming them; returns
 * the removed ids. The node is first renamed into a temporary directory, which
 * hides all of them at once; then their links go and the files are deleted.
 */
export function removeImage(data: string, id: number): number[] {
  if (id === 0) throw new PlashError("the empty root image 0 cannot be removed");
  const chain = ancestry(data, id);
  const relative = `../layer/${chain.join("/")}`;
  const node = `${data}/layer/${chain.join("/")}`;
  const removed = [id, ...descendants(node)];
  const trash = makeTmpDir(data);
  try {
    Deno.renameSync(node, `${trash}/node`);
    for (const each of removed) {
      try {
        Deno.removeSync(indexPath(data, each));
      } catch { /* removed concurrently */ }
    }
    for (const map of allMaps(data)) {
      if (map.target === relative || map.target.startsWith(relative + "/")) {
        try {
          Deno.removeSync(`${data}/map/${map.file}`);
        } catch { /* removed concurrently */ }
      }
    }
  } finally {
    removeTree(trash);
  }
  return removed;
}
