/**
 * Taking the run's own mount points out of a changes directory before it
 * becomes a layer: the empty directories and placeholder files that
 * the run made so it had somewhere to bind the host's.
 *
 * @module
 */

import { prepareTreeRemoval, tryRemoveEntry } from "../../ffi/remove_tree.ts";
import { cString } from "../../ffi/libc.ts";
import { whileNamespaceRoot } from "./user_namespace.ts";

/**
 * Removes from the writable layer `upper` the mount points in `created`
 * (paths in the image, parents first, as the run made them), if still empty.
 * Those in directories of the caller's subordinate ids (the command chowned
 * one, say /etc), which a caller without root may not change, are removed as
 * root of plash's user namespace.
 */
export async function pruneMountPoints(upper: string, created: string[]): Promise<void> {
  const refused: { path: Uint8Array; directory: boolean }[] = [];
  // Deepest first: a made parent is empty only once its made children are gone.
  for (const path of created.toReversed()) {
    const inLayer = `${upper}${path}`;
    let info: Deno.FileInfo | undefined;
    try {
      info = Deno.lstatSync(inLayer);
      const empty = info.isDirectory ? isEmptyDir(inLayer) : info.isFile && info.size === 0;
      if (empty) Deno.removeSync(inLayer);
    } catch (error) {
      // Gone already, or not empty any more: the command made it its own.
      if (!(error instanceof Deno.errors.PermissionDenied) || Deno.uid() === 0) continue;
      // Unseen (lstat refused): only an empty directory goes, which rmdir(2) checks itself.
      refused.push({ path: cString(inLayer), directory: info?.isDirectory ?? true });
    }
  }
  if (refused.length === 0) return;
  prepareTreeRemoval();
  await whileNamespaceRoot(() => {
    for (const { path, directory } of refused) tryRemoveEntry(path, directory);
  });
}

function isEmptyDir(path: string): boolean {
  for (const _ of Deno.readDirSync(path)) return false;
  return true;
}
