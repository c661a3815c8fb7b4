/**
 * The store's side of the pool of warm copies (`core/runtime/warm_copies.ts`):
 * copies of images that mount-less runs and builds left, put back as their
 * image is, in the store's tmp/ under names holding the image's id, the key
 * of its index entry and the time they were pooled. Each is taken out of the
 * pool by renaming it to a temporary directory of the taker (atomic: two
 * processes never take the same copy), which `plash clean` removes if the
 * taker dies; removing one needs no new file, so it works on a full disk.
 *
 * @module
 */

import { WARM_PREFIX } from "./layout.ts";
import type { Store } from "./store.ts";
import { removeTree, tmpPath, type TreeRemover } from "./tmp.ts";

/** `plashwarm_<id>_<key>_<pooled, ms since the epoch>_<random>`. */
const WARM_NAME = /^plashwarm_(\d+)_(\d+)_(\d+)_\d+$/;

/** One warm copy in the pool. */
export interface PooledCopy {
  /** Its name in tmp/. */
  name: string;
  /** The image it is a copy of. */
  id: number;
  /** The key of the image's index entry when it was pooled. */
  key: string;
  /** When it was pooled, in ms since the epoch. */
  pooled: number;
}

/** The warm copies in `store`'s pool, the oldest first. */
export function pooledCopies(store: Store): PooledCopy[] {
  const found: PooledCopy[] = [];
  for (const { name } of Deno.readDirSync(store.tmpRoot)) {
    const match = WARM_NAME.exec(name);
    if (match) found.push({ name, id: Number(match[1]), key: match[2], pooled: Number(match[3]) });
  }
  return found.sort((a, b) => a.pooled - b.pooled);
}

/** The name in tmp/ under which a copy of image `id` with index key `key` joins the pool. */
export function poolName(id: number, key: string): string {
  const random = crypto.getRandomValues(new Uint32Array(1))[0];
  return `${WARM_PREFIX}${id}_${key}_${Date.now()}_${random}`;
}

/**
 * Takes the warm copy `name` out of the pool into a temporary directory of
 * this process, and returns that; undefined when another process took it first.
 */
export function takePooledCopy(store: Store, name: string): string | undefined {
  const taken = tmpPath(store);
  try {
    Deno.renameSync(store.tmpEntry(name), taken);
    return taken;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * Removes the warm copies of the images `ids` (of every image when none are
 * given) with `remove`; returns how many this call removed. Each is taken out of the pool
 * first: a removal cut short leaves a temporary directory for `plash clean`,
 * never a pooled copy that lacks files.
 */
export function removePooledCopies(
  store: Store,
  ids?: number[],
  remove: TreeRemover = removeTree,
): number {
  const chosen = pooledCopies(store).filter((copy) => ids === undefined || ids.includes(copy.id));
  return chosen.filter((copy) => removePooledCopy(store, copy.name, remove)).length;
}

/**
 * Removes the warm copy `name` with `remove`, taken first; false when
 * another process took it first.
 */
export function removePooledCopy(
  store: Store,
  name: string,
  remove: TreeRemover = removeTree,
): boolean {
  const taken = takePooledCopy(store, name);
  if (taken === undefined) return false;
  remove(taken);
  return true;
}
