/** `plash clean` @module */

import { cleanStore } from "../store/clean.ts";
import { Store } from "../store/store.ts";

/** Runs the command line; reports on stderr what it removed. */
export function main(): void {
  const report = cleanStore(Store.open());
  console.error(
    `removed ${report.tmpDirs} temporary dirs, ${report.indexLinks} index links, ` +
      `${report.mapLinks} map links`,
  );
}
