/**
 * `plash purge`: deletes every image, and everything else plash keeps in the
 * data directory, but not the directory itself (it may be a mount point), as
 * the original plash did.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { LATER_ENTRIES, TOP_ENTRIES } from "./layout.ts";
import type { Store } from "./store.ts";
import { removeTree, type TreeRemover } from "./tmp.ts";

/** Mount points at or below `dir`, from /proc/self/mountinfo. */
export function mountsBelow(dir: string): string[] {
  const unescape = (path: string) =>
    path.replace(/\\([0-7]{3})/g, (_, octal) => String.fromCharCode(parseInt(octal, 8)));
  return Deno.readTextFileSync("/proc/self/mountinfo").split("\n")
    .map((line) => unescape(line.split(" ")[4] ?? ""))
    .filter((point) => point === dir || point.startsWith(dir + "/"));
}

/**
 * Empties the store: removes what plash made in it and keeps the data
 * directory. Refuses while something is mounted inside it: deleting through
 * a mount would delete the mounted files (the directory itself may be one).
 * Each entry is deleted by `remove`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { purgeStore } from "./purge.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * store.addLayer(0, store.makeTmpDir());
 * purgeStore(store); // everything in the data directory, gone
 * assert.deepEqual([...Deno.readDirSync(store.root)], []);
 * Deno.removeSync(store.root);
 * ```
 */
export function purgeStore(store: Store, remove: TreeRemover = removeTree): void {
  // Another user's data directory, or a link to one, is not the caller's to delete.
  if (!store.claimRoot()) return;
  const mounted = mountsBelow(store.root).filter((point) => point !== store.root);
  if (mounted.length) {
    throw new PlashError(`${mounted[0]} is mounted inside ${store.root}: unmount it first`);
  }
  // In their order: the id counter first (see TOP_ENTRIES).
  for (const [name] of TOP_ENTRIES) remove(store.topEntry(name));
  for (const name of LATER_ENTRIES) remove(store.topEntry(name));
}
