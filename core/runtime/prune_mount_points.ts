/**
 * Taking the run's own mount points out of a changes directory before it
 * becomes a layer: the empty directories and placeholder files that
 * `runContainer` made so it had somewhere to bind the host's.
 *
 * @module
 */

/** Removes from `changes/data` the mount points listed in `changes/mountpoints`, if still empty. */
export function pruneMountPoints(changes: string): void {
  let listed: string[];
  try {
    listed = Deno.readTextFileSync(`${changes}/mountpoints`).split("\n").filter(Boolean);
  } catch {
    return;
  }
  // Deepest first: a made parent is empty only once its made children are gone.
  for (const path of listed.toReversed()) {
    const inLayer = `${changes}/data${path}`;
    try {
      const info = Deno.lstatSync(inLayer);
      const empty = info.isDirectory ? isEmptyDir(inLayer) : info.isFile && info.size === 0;
      if (empty) Deno.removeSync(inLayer);
    } catch {
      // Gone already, or not empty any more: the command made it its own.
    }
  }
}

function isEmptyDir(path: string): boolean {
  for (const _ of Deno.readDirSync(path)) return false;
  return true;
}
