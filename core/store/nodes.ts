/**
 * Finding images in the store. An image is a node directory; its layer is
 * `<node>/_data/root` and a child's node sits inside its parent's, so the node
 * path of an image names all of its ancestors:
 * `index/9 -> ../layer/0/1/5/9` is image 9 on 5 on 1 on the empty root 0.
 *
 * @module
 */

import { PlashError } from "../errors.ts";

/** The index link of image `id`. */
export function indexPath(data: string, id: number): string {
  return `${data}/index/${id}`;
}

/** The layer directory of image `id`, through its index link. */
export function layerPath(data: string, id: number): string {
  return `${data}/index/${id}/_data/root`;
}

/** The ids of image `id` and its ancestors, the empty root 0 first, `id` last. */
export function ancestry(data: string, id: number): number[] {
  let target: string;
  try {
    target = Deno.readLinkSync(indexPath(data, id));
    Deno.statSync(`${data}/index/${id}/_data`);
  } catch {
    throw new PlashError(`no image: ${id}`);
  }
  return target.split("/").slice(2).map(Number);
}

/** The absolute node directory of image `id` (what `plash nodepath` prints). */
export function nodePath(data: string, id: number): string {
  const chain = ancestry(data, id);
  return `${data}/layer/${chain.join("/")}`;
}

/** The parent of image `id`; the empty root 0 has none. */
export function parentOf(data: string, id: number): number | undefined {
  const chain = ancestry(data, id);
  return chain.length > 1 ? chain[chain.length - 2] : undefined;
}

/** The ids of every image built on image `id`, found as node directories nested in its node. */
export function descendants(node: string): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync(node)) {
    if (entry.isDirectory && /^\d+$/.test(entry.name)) {
      found.push(Number(entry.name), ...descendants(`${node}/${entry.name}`));
    }
  }
  return found;
}

/** Every image id that has a live index link, in ascending order (0 excluded). */
export function allImageIds(data: string): number[] {
  const ids: number[] = [];
  for (const entry of Deno.readDirSync(`${data}/index`)) {
    if (!/^\d+$/.test(entry.name) || entry.name === "0") continue;
    try {
      Deno.statSync(`${data}/index/${entry.name}/_data`);
      ids.push(Number(entry.name));
    } catch {
      // A dangling link: a half-published or removed image, not an image.
    }
  }
  return ids.sort((a, b) => a - b);
}
