/**
 * Taking the run's own mount points out of a changes directory before it
 * becomes a layer: the empty directories and placeholder files that
 * the run made so it had somewhere to bind the host's.
 *
 * @module
 */

/**
 * Removes from the writable layer `upper` the mount points in `created`
 * (paths in the image, parents first, as the run made them), if still empty.
 */
export function pruneMountPoints(upper: string, created: string[]): void {
  // Deepest first: a made parent is empty only once its made children are gone.
  for (const path of created.toReversed()) {
    const inLayer = `${upper}${path}`;
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
