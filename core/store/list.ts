/**
 * `plash ls`: what each image is.
 *
 * @module
 */

import { readConfig } from "./image_config.ts";
import type { Store } from "./store.ts";

/** One image as `plash ls` shows it. */
export interface ImageInfo {
  /** The image. */
  id: number;
  /** Its parent; 0 is the empty root. */
  parent: number;
  /** Map keys naming it. */
  names: string[];
  /** Bytes in its own layer (not its parents'). */
  size: number;
  /** When it was made, ISO 8601. */
  created: string;
}

/**
 * Describes every image in `store`, oldest first.
 *
 * @example
 * ```ts
 * import { listImages } from "./list.ts";
 * import { Store } from "./store.ts";
 *
 * for (const image of listImages(Store.open())) console.log(image.id, image.names);
 * ```
 */
export function listImages(store: Store): ImageInfo[] {
  const names = new Map<number, string[]>();
  for (const entry of store.mapEntries()) {
    names.set(entry.id, [...(names.get(entry.id) ?? []), entry.key]);
  }
  return store.imageIds().map((id) => {
    const chain = store.chain(id);
    const node = store.nodeOf(chain);
    return {
      id,
      parent: chain[chain.length - 2],
      names: (names.get(id) ?? []).sort(),
      size: treeSize(store.layer(id)),
      created: readConfig(node).created ?? Deno.statSync(`${node}/_data`).mtime!.toISOString(),
    };
  });
}

function treeSize(path: string): number {
  let size = 0;
  for (const entry of Deno.readDirSync(path)) {
    const child = `${path}/${entry.name}`;
    size += entry.isDirectory ? treeSize(child) : Deno.lstatSync(child).size;
  }
  return size;
}
