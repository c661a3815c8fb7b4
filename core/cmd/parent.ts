/** `plash parent ID` @module */

import { PlashError } from "../errors.ts";
import { openStore } from "../store/data_dir.ts";
import { parseImageId } from "../store/ids.ts";
import { parentOf } from "../store/nodes.ts";
import { expectArgs, printLine } from "./args.ts";

/** Runs the command line. */
export function main(args: string[]): void {
  expectArgs("parent", args, 1);
  const parent = parentOf(openStore(), parseImageId(args[0]));
  if (parent === undefined) throw new PlashError("the empty root image 0 has no parent");
  printLine(parent);
}
