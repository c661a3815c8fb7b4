/**
 * `plash run [--changes DIR] [--no-tmp] ID [CMD...]`
 *
 * @module
 */

import { runContainer } from "../runtime/container.ts";
import { openStore } from "../store/data_dir.ts";
import { parseImageId } from "../store/ids.ts";
import { usageError } from "./args.ts";

/** Runs the command line. */
export function main(args: string[]): number {
  let changesDir: string | undefined;
  let shareTmp = true;
  for (;;) {
    if (args[0] === "--changes") {
      changesDir = args[1];
      args = args.slice(2);
    } else if (args[0] === "--no-tmp") {
      shareTmp = false;
      args = args.slice(1);
    } else break;
  }
  if (args.length === 0 || changesDir === "") throw usageError("run");
  runContainer({
    data: openStore(),
    id: parseImageId(args[0]),
    command: args.slice(1),
    changesDir,
    shareTmp,
  });
}
