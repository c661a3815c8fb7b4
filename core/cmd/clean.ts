/** `plash clean` @module */

import { openStore } from "../store/data_dir.ts";
import { cleanStore } from "../store/clean.ts";
import { expectArgs } from "./args.ts";

/** Runs the command line; reports on stderr what it removed. */
export function main(args: string[]): void {
  expectArgs("clean", args, 0);
  const report = cleanStore(openStore());
  console.error(
    `removed ${report.tmpDirs} temporary dirs, ${report.indexLinks} index links, ` +
      `${report.mapLinks} map links`,
  );
}
