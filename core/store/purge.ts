/**
 * `plash purge`: deletes the whole data directory.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import type { Store } from "./store.ts";
import { removeTree } from "./tmp.ts";

/** Mount points at or below `dir`, from /proc/self/mountinfo. */
export function mountsBelow(dir: string): string[] {
  const unescape = (path: string) =>
    path.replace(/\\([0-7]{3})/g, (_, octal) => String.fromCharCode(parseInt(octal, 8)));
  return Deno.readTextFileSync("/proc/self/mountinfo").split("\n")
    .map((line) => unescape(line.split(" ")[4] ?? ""))
    .filter((point) => point === dir || point.startsWith(dir + "/"));
}

/**
 * Removes the store entirely. Refuses while something is mounted in it:
 * deleting through a mount would delete the mounted files.
 *
 * @example
 * ```ts
 * import { purgeStore } from "./purge.ts";
 * import { Store } from "./store.ts";
 *
 * purgeStore(Store.at("/tmp/plash-example"));
 * ```
 */
export function purgeStore(store: Store): void {
  // Another user's data directory, or a link to one, is not the caller's to delete.
  if (!store.claimRoot()) return;
  const mounted = mountsBelow(store.root);
  if (mounted.length) {
    throw new PlashError(`${mounted[0]} is mounted inside ${store.root}: unmount it first`);
  }
  removeTree(store.root);
}
