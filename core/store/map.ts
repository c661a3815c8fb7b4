/**
 * Names for images: `$PLASH_DATA/map/<key>` is a relative symlink to the
 * image's node. Keys are any non-empty text; "/" and "%" are escaped in the
 * file name, as is a leading "." (so no key is "." or "..").
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { ancestry } from "./nodes.ts";
import { makeTmpDir, removeTree } from "./tmp.ts";

/** The file name in map/ that holds `key`. */
export function keyFileName(key: string): string {
  if (key === "") throw new PlashError("empty map key");
  return key.replaceAll("%", "%25").replaceAll("/", "%2F").replace(/^\./, "%2E");
}

/** The key a map file name stands for. */
export function keyFromFileName(name: string): string {
  return decodeURIComponent(name);
}

/** The image mapped to `key`, or undefined (also when the image was removed). */
export function getMap(data: string, key: string): number | undefined {
  const link = `${data}/map/${keyFileName(key)}`;
  try {
    const target = Deno.readLinkSync(link);
    Deno.statSync(`${link}/_data`);
    return Number(target.slice(target.lastIndexOf("/") + 1));
  } catch {
    return undefined;
  }
}

/** Maps `key` to image `id`, replacing what it mapped to, in one rename(2). */
export function setMap(data: string, key: string, id: number): void {
  const name = keyFileName(key);
  const target = `../layer/${ancestry(data, id).join("/")}`;
  const stage = makeTmpDir(data);
  try {
    Deno.symlinkSync(target, `${stage}/link`);
    Deno.renameSync(`${stage}/link`, `${data}/map/${name}`);
  } finally {
    removeTree(stage);
  }
}

/** Removes `key`; removing a key that is not there is not an error. */
export function deleteMap(data: string, key: string): void {
  try {
    Deno.removeSync(`${data}/map/${keyFileName(key)}`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** Every key with the node path (relative to the data dir's layer/) it maps to. */
export function allMaps(data: string): { key: string; file: string; target: string }[] {
  const maps = [];
  for (const entry of Deno.readDirSync(`${data}/map`)) {
    if (!entry.isSymlink) continue;
    const target = Deno.readLinkSync(`${data}/map/${entry.name}`);
    maps.push({ key: keyFromFileName(entry.name), file: entry.name, target });
  }
  return maps;
}
