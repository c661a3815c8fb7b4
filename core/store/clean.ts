/**
 * `plash clean`: removes what interrupted or finished plash processes left:
 * plash's own temporary directories (`tmp/plashtmp_*`) whose owner is gone,
 * and index or map links to images that no longer exist. Nothing else in
 * tmp/ is plash's to remove: lock files stay (one may be held, and its next
 * holder removes it), and so does whatever someone else put there.
 *
 * @module
 */

import type { Store } from "./store.ts";
import { isTmpName, removeTree, tmpOwnerAlive } from "./tmp.ts";

/** What {@linkcode cleanStore} removed. */
export interface CleanReport {
  /** Temporary directories whose owner had ended. */
  tmpDirs: number;
  /** Index links to images that were never published or are gone. */
  indexLinks: number;
  /** Map entries naming images that are gone. */
  mapLinks: number;
}

/**
 * Which leftovers {@linkcode cleanStore} removes; all of them when none is
 * chosen (the original plash's `--clean-index`, `--clean-cache-keys`,
 * `--clean-tmp`).
 */
export interface CleanParts {
  /** Dangling links in index/. */
  index?: boolean;
  /** Dangling links in map/ (the original's cache keys). */
  map?: boolean;
  /** Temporary directories of ended processes. */
  tmp?: boolean;
}

/**
 * Removes leftovers, those of `parts` when any is chosen; never what a
 * running plash process still uses.
 *
 * @example
 * ```ts
 * import { cleanStore } from "./clean.ts";
 * import { Store } from "./store.ts";
 *
 * const report = cleanStore(Store.open());
 * console.log(`${report.tmpDirs} temporary directories removed`);
 * cleanStore(Store.open(), { map: true }); // only map entries of removed images
 * ```
 */
export function cleanStore(store: Store, parts: CleanParts = {}): CleanReport {
  const all = !parts.index && !parts.map && !parts.tmp;
  const report: CleanReport = { tmpDirs: 0, indexLinks: 0, mapLinks: 0 };
  const staging = new Set<string>();
  for (const entry of Deno.readDirSync(store.tmpRoot)) {
    // Only plash's own temporary directories: lock files may be held (see
    // lock.ts), and anything else is someone else's.
    if (!isTmpName(entry.name)) continue;
    const path = `${store.tmpRoot}/${entry.name}`;
    if (tmpOwnerAlive(entry.name)) {
      // A live process may be publishing an image whose index link dangles until its rename.
      if (entry.isDirectory) {
        for (const inner of Deno.readDirSync(path)) staging.add(inner.name);
      }
      continue;
    }
    if (!all && !parts.tmp) continue;
    removeTree(path);
    report.tmpDirs++;
  }
  if (all || parts.index) {
    report.indexLinks = removeDanglingLinks(store.indexRoot, (name) => !staging.has(name));
  }
  if (all || parts.map) report.mapLinks = removeDanglingLinks(store.mapRoot, () => true);
  return report;
}

function removeDanglingLinks(dir: string, removable: (name: string) => boolean): number {
  let count = 0;
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.isSymlink || !removable(entry.name)) continue;
    try {
      Deno.statSync(`${dir}/${entry.name}/_data`);
    } catch {
      Deno.removeSync(`${dir}/${entry.name}`);
      count++;
    }
  }
  return count;
}
