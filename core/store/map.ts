/**
 * Names for images: `map/<key>` in the store is a relative symlink to the
 * image's node. Keys are any non-empty text; "/" and "%" are escaped in the
 * file name, as is a leading "." (so no key is "." or "..").
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { chainOfLink } from "./ids.ts";
import type { Store } from "./store.ts";
import { removeTree } from "./tmp.ts";

/** One entry of the map. */
export interface MapEntry {
  /** The key, as the user or plash wrote it. */
  key: string;
  /** Its file name in `map/`. */
  file: string;
  /** The node it links to, relative to the store (`../layer/0/3/7`). */
  target: string;
  /** The image that node is. */
  id: number;
}

/** The file name in map/ that holds `key`. */
export function keyFileName(key: string): string {
  if (key === "") throw new PlashError("empty map key");
  return key.replaceAll("%", "%25").replaceAll("/", "%2F").replace(/^\./, "%2E");
}

/** The key a map file name stands for. */
export function keyFromFileName(name: string): string {
  return decodeURIComponent(name);
}

/** The image a map link target (`../layer/0/3/7`) names, if it is a node link. */
function idOfTarget(target: string): number | undefined {
  return chainOfLink(target)?.at(-1);
}

/** The image mapped to `key`, or undefined (also when the image was removed). */
export function getMap(store: Store, key: string): number | undefined {
  const link = `${store.mapRoot}/${keyFileName(key)}`;
  try {
    const target = Deno.readLinkSync(link);
    Deno.statSync(`${link}/_data`);
    return idOfTarget(target);
  } catch {
    return undefined;
  }
}

/** Maps `key` to image `id`, replacing what it mapped to, in one rename(2). */
export function setMap(store: Store, key: string, id: number): void {
  const name = keyFileName(key);
  const target = store.nodeLink(store.chain(id));
  const stage = store.makeTmpDir();
  try {
    Deno.symlinkSync(target, `${stage}/link`);
    Deno.renameSync(`${stage}/link`, `${store.mapRoot}/${name}`);
  } finally {
    removeTree(stage);
  }
}

/** Removes `key`; removing a key that is not there is not an error. */
export function deleteMap(store: Store, key: string): void {
  try {
    Deno.removeSync(`${store.mapRoot}/${keyFileName(key)}`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** Every entry of the map, whether or not its image still exists. */
export function mapEntries(store: Store): MapEntry[] {
  const entries: MapEntry[] = [];
  for (const entry of Deno.readDirSync(`${store.mapRoot}`)) {
    if (!entry.isSymlink) continue;
    const target = Deno.readLinkSync(`${store.mapRoot}/${entry.name}`);
    const id = idOfTarget(target);
    // A link plash did not make names no image; `clean` removes it if it dangles.
    if (id === undefined) continue;
    entries.push({ key: keyFromFileName(entry.name), file: entry.name, target, id });
  }
  return entries;
}
