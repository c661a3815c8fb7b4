/**
 * `plash clean`: removes what interrupted or finished plash processes left:
 * temporary directories whose owner is gone, and index or map links to
 * images that no longer exist. Lock files stay: one may be held, and its next
 * holder removes it.
 *
 * @module
 */

import { LOCK_PREFIX } from "./lock.ts";
import type { Store } from "./store.ts";
import { removeTree, tmpOwnerAlive } from "./tmp.ts";

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
 * Removes leftovers; never what a running plash process still uses.
 *
 * @example
 * ```ts
 * import { cleanStore } from "./clean.ts";
 * import { Store } from "./store.ts";
 *
 * const report = cleanStore(Store.open());
 * console.log(`${report.tmpDirs} temporary directories removed`);
 * ```
 */
export function cleanStore(store: Store): CleanReport {
  const report: CleanReport = { tmpDirs: 0, indexLinks: 0, mapLinks: 0 };
  const staging = new Set<string>();
  for (const entry of Deno.readDirSync(store.tmpRoot)) {
    // A lock file may be held; only its holder may remove it (see lock.ts).
    if (entry.name.startsWith(LOCK_PREFIX)) continue;
    const path = `${store.tmpRoot}/${entry.name}`;
    if (tmpOwnerAlive(entry.name)) {
      // A live process may be publishing an image whose index link dangles until its rename.
      if (entry.isDirectory) {
        for (const inner of Deno.readDirSync(path)) staging.add(inner.name);
      }
      continue;
    }
    removeTree(path);
    report.tmpDirs++;
  }
  report.indexLinks = removeDanglingLinks(store.indexRoot, (name) => !staging.has(name));
  report.mapLinks = removeDanglingLinks(store.mapRoot, () => true);
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
