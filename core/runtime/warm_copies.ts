/**
 * The pool of warm copies: a mount-less run or build does not remove its
 * copy of an image when it is done (a removal costs about what the copy
 * did): it reverts what the command changed (`core/tree/revert_tree.ts`),
 * records the reverted tree and pools it, with that record, for the next
 * run or build of the same image. At most {@linkcode POOL_SIZE} copies per
 * store: pooling one more removes the oldest.
 *
 * Claiming takes a copy out of the pool (an atomic rename, see
 * `core/store/warm_pool.ts`), records it again and compares with the stored
 * record: any difference at all (a process that outlived its run and wrote
 * later, someone in tmp/) and the copy is removed. An equal record means an
 * unchanged tree because the ctime of every entry is in it, to the
 * nanosecond: every change to an inode moves it, and no system call sets it
 * back (only the clock could, and only root can set that). A copy is keyed
 * by its image's index entry (the link's inode): an image removed, or its id
 * given again after `purge`, never matches.
 *
 * A copy with a process still in it (one that outlived its run, in the
 * background) is removed, not reverted: the process could replace a
 * directory with a link out of the copy while the revert writes below it.
 *
 * A SIGKILL leaves either a pooled copy with its complete record (the record
 * is written before the rename into the pool) or a temporary directory of
 * the dead process, which `plash clean` removes.
 *
 * @module
 */

import type { Store } from "../store/store.ts";
import { removeTree } from "../store/tmp.ts";
import { pooledCopies, poolName, removePooledCopy, takePooledCopy } from "../store/warm_pool.ts";
import { recordText, recordTree, type TreeRecord } from "../tree/tree_changes.ts";

/** How many warm copies a store keeps at most. */
export const POOL_SIZE = 2;

/** Where a copy's directory keeps its tree, beside the record of it. */
export const COPY_ROOT = "root";
const RECORD = "record";

/** A copy taken from the pool: its directory (root/ holds the tree) and its record. */
export interface ClaimedCopy {
  dir: string;
  record: TreeRecord;
}

/** The key of image `id`'s index entry (its link's inode), undefined when it is gone. */
function imageKey(store: Store, id: number): string | undefined {
  try {
    return String(Deno.lstatSync(store.indexLink(id)).ino);
  } catch {
    return undefined;
  }
}

/**
 * Takes a warm copy of image `id` out of `store`'s pool, checked unchanged
 * since it was pooled; undefined when there is none. Copies of `id` under
 * another key, or changed since, are removed on the way.
 */
export function claimWarmCopy(store: Store, id: number): ClaimedCopy | undefined {
  const key = imageKey(store, id);
  for (const copy of pooledCopies(store).reverse()) {
    if (copy.id !== id) continue;
    const dir = takePooledCopy(store, copy.name);
    if (dir === undefined) continue;
    if (copy.key === key) {
      const record = recordTree(`${dir}/${COPY_ROOT}`);
      if (storedText(dir) === recordText(record)) return { dir, record };
    }
    removeTree(dir);
  }
  return undefined;
}

/** The record a pooled copy was stored with ("" when it has none). */
function storedText(dir: string): string {
  try {
    return Deno.readTextFileSync(`${dir}/${RECORD}`);
  } catch {
    return "";
  }
}

/**
 * Puts the copy in `dir` (its tree in `dir`/root, as pristine as `record`
 * says) into `store`'s pool as a copy of image `id`, and removes the oldest
 * beyond {@linkcode POOL_SIZE}; removes `dir` instead when the image is gone.
 */
export function poolWarmCopy(store: Store, id: number, dir: string, record: TreeRecord): void {
  const key = imageKey(store, id);
  if (key === undefined) return removeTree(dir);
  Deno.writeTextFileSync(`${dir}/${RECORD}`, recordText(record));
  Deno.renameSync(dir, store.tmpEntry(poolName(id, key)));
  const copies = pooledCopies(store);
  for (const copy of copies.slice(0, Math.max(0, copies.length - POOL_SIZE))) {
    removePooledCopy(store, copy.name);
  }
}

/**
 * Whether a process has its root at or below `root` (a chroot into a copy):
 * /proc/PID/root of each process this one may inspect, read as a link.
 */
export function processesInside(root: string): boolean {
  const real = Deno.realPathSync(root);
  for (const { name } of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let link: string;
    try {
      link = Deno.readLinkSync(`/proc/${name}/root`);
    } catch {
      continue; // Gone, a zombie, or another user's.
    }
    if (link === real || link.startsWith(`${real}/`)) return true;
  }
  return false;
}
