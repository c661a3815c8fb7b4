/** `plash init` @module */

import { dataDir, initStore } from "../store/data_dir.ts";
import { expectArgs } from "./args.ts";

/** Runs the command line. */
export function main(args: string[]): void {
  expectArgs("init", args, 0);
  initStore(dataDir());
}
