/**
 * `plash ls`: what each image is.
 *
 * @module
 */

import { readConfig } from "./image_config.ts";
import { allMaps } from "./map.ts";
import { allImageIds, ancestry } from "./nodes.ts";

/** One image as `plash ls` shows it. */
export interface ImageInfo {
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

/** Describes every image in the store, oldest first. */
export function listImages(data: string): ImageInfo[] {
  const names = new Map<string, string[]>();
  for (const map of allMaps(data)) {
    const id = map.target.slice(map.target.lastIndexOf("/") + 1);
    names.set(id, [...(names.get(id) ?? []), map.key]);
  }
  return allImageIds(data).map((id) => {
    const chain = ancestry(data, id);
    const node = `${data}/layer/${chain.join("/")}`;
    return {
      id,
      parent: chain[chain.length - 2],
      names: (names.get(String(id)) ?? []).sort(),
      size: treeSize(`${node}/_data/root`),
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
