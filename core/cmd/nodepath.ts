/** `plash nodepath ID` @module */

import { openStore } from "../store/data_dir.ts";
import { parseImageId } from "../store/ids.ts";
import { nodePath } from "../store/nodes.ts";
import { expectArgs, printLine } from "./args.ts";

/** Runs the command line. */
export function main(args: string[]): void {
  expectArgs("nodepath", args, 1);
  printLine(nodePath(openStore(), parseImageId(args[0])));
}
