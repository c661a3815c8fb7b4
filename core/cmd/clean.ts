/** `plash clean [--clean-index] [--clean-cache-keys] [--clean-tmp] [--quiet]` @module */

import type { Args } from "../cli/parse_args.ts";
import { removingTrees } from "../runtime/tree_removal.ts";
import { cleanStore } from "../store/clean.ts";
import { Store } from "../store/store.ts";

/**
 * Runs the command line; reports on stderr what it removed. The original
 * plash's flags choose parts (`--clean-cache-keys` are map entries); none
 * means all.
 */
export async function main(args: Args): Promise<void> {
  const store = Store.open();
  const parts = {
    index: args.flag("clean-index"),
    map: args.flag("clean-cache-keys"),
    tmp: args.flag("clean-tmp"),
  };
  const report = await removingTrees((remove) => cleanStore(store, parts, remove));
  if (args.flag("quiet")) return;
  console.error(
    `removed ${report.tmpDirs} temporary dirs, ${report.lockFiles} lock files, ` +
      `${report.indexLinks} index links, ${report.mapLinks} map links`,
  );
}
