/**
 * `plash clean`: removes what interrupted or finished plash processes left:
 * plash's own temporary directories (`tmp/plashtmp_*`) whose owner is gone,
 * lock files no process holds (a holder killed with SIGKILL leaves its
 * file), the pool of warm copies (`warm_pool.ts`), and index or map links
 * to images that no longer exist. Nothing else in tmp/ is plash's to
 * remove: whatever someone else put there stays.
 *
 * Another plash may clean, remove or publish at the same time: what another
 * process removed first is done, not an error, and a link that dangles
 * because its image is being published is left alone.
 *
 * @module
 */

import { LOCK_PREFIX, nodeDataDir } from "./layout.ts";
import { removeIfUnheld } from "./lock.ts";
import type { Store } from "./store.ts";
import { isTmpName, removeTree, tmpOwnerAlive, type TreeRemover } from "./tmp.ts";
import { removePooledCopies } from "./warm_pool.ts";

/**
 * What {@linkcode cleanStore} removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cleanStore } from "./clean.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const report = cleanStore(store);
 * assert.deepEqual(report, { tmpDirs: 0, lockFiles: 0, indexLinks: 0, mapLinks: 0 });
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export interface CleanReport {
  /** Temporary directories whose owner had ended. */
  tmpDirs: number;
  /** Lock files that no process held. */
  lockFiles: number;
  /** Index links to images that were never published or are gone. */
  indexLinks: number;
  /** Map entries naming images that are gone. */
  mapLinks: number;
}

/**
 * Which leftovers {@linkcode cleanStore} removes; all of them when none is
 * chosen (the original plash's `--clean-index`, `--clean-cache-keys`,
 * `--clean-tmp`).
 *
 * @example
 * ```ts
 * import { cleanStore, type CleanParts } from "./clean.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const parts: CleanParts = { tmp: true }; // `plash clean --tmp`
 * cleanStore(store, parts);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export interface CleanParts {
  /** Dangling links in index/. */
  index?: boolean;
  /** Dangling links in map/ (the original's cache keys). */
  map?: boolean;
  /** Temporary directories of ended processes, and lock files nobody holds. */
  tmp?: boolean;
}

/**
 * Removes leftovers, those of `parts` when any is chosen, directories with
 * `remove`; never what a running plash process still uses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cleanStore } from "./clean.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const report = cleanStore(store);
 * console.log(`${report.tmpDirs} temporary directories removed`);
 * assert.equal(cleanStore(store, { map: true }).mapLinks, 0); // only map entries of removed images
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export function cleanStore(
  store: Store,
  parts: CleanParts = {},
  remove: TreeRemover = removeTree,
): CleanReport {
  const all = !parts.index && !parts.map && !parts.tmp;
  const report: CleanReport = { tmpDirs: 0, lockFiles: 0, indexLinks: 0, mapLinks: 0 };
  // Dangling index links are read before tmp/: a publisher links its image
  // only once its node is staged, so a link read dangling here whose node is
  // being staged has its staging directory in tmp/ below.
  const index = { dir: store.indexRoot, link: (name: string) => store.indexEntry(name) };
  const map = { dir: store.mapRoot, link: (name: string) => store.mapLink(name) };
  const dangling = all || parts.index ? danglingLinks(index) : [];
  const staging = new Set<string>();
  for (const entry of Deno.readDirSync(store.tmpRoot)) {
    const path = store.tmpEntry(entry.name);
    if (entry.name.startsWith(LOCK_PREFIX) && entry.isFile) {
      if ((all || parts.tmp) && removeIfUnheld(path)) report.lockFiles++;
      continue;
    }
    // Only plash's own temporary directories: anything else is someone else's.
    if (!isTmpName(entry.name)) continue;
    if (tmpOwnerAlive(entry.name)) {
      // A live process may be publishing an image whose index link dangles until its rename.
      if (entry.isDirectory) { for (const name of namesIn(path)) staging.add(name); }
      continue;
    }
    if (!all && !parts.tmp) continue;
    remove(path);
    report.tmpDirs++;
  }
  // Warm copies of mount-less runs are leftovers too, kept only to be fast.
  if (all || parts.tmp) report.tmpDirs += removePooledCopies(store, undefined, remove);
  const unstaged = dangling.filter((name) => !staging.has(name));
  report.indexLinks = removeIfDangling(index, unstaged);
  if (all || parts.map) {
    report.mapLinks = removeIfDangling(map, danglingLinks(map));
  }
  return report;
}

/** The names in directory `dir`; none once it is gone (its owner ended meanwhile). */
function namesIn(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((entry) => entry.name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** Whether the link `path` names no node (or is gone). */
function dangles(path: string): boolean {
  try {
    Deno.statSync(nodeDataDir(path));
    return false;
  } catch {
    return true;
  }
}

/** A directory of links to nodes (index/ or map/): where it is, and the path of its entry `name`. */
interface LinkDir {
  dir: string;
  link(name: string): string;
}

/** The links in `links` that name no node. */
function danglingLinks(links: LinkDir): string[] {
  return [...Deno.readDirSync(links.dir)]
    .filter((entry) => entry.isSymlink && dangles(links.link(entry.name)))
    .map((entry) => entry.name);
}

/**
 * Removes the links `names` of `links` that still dangle (one may have been
 * published since); returns how many this call removed: one another process
 * removed first is done, not an error.
 */
function removeIfDangling(links: LinkDir, names: string[]): number {
  let count = 0;
  for (const name of names) {
    const path = links.link(name);
    if (!dangles(path)) continue;
    try {
      Deno.removeSync(path);
      count++;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return count;
}
