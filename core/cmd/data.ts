/** `plash data [CMD...]` @module */

import { chdir } from "../../ffi/sys.ts";
import { openStore } from "../store/data_dir.ts";
import { printLine } from "./args.ts";
import { execHostCommand } from "./with_mount.ts";

/** Runs the command line. */
export function main(args: string[]): void {
  const data = openStore();
  if (args.length === 0) return printLine(data);
  chdir(data);
  execHostCommand(args);
}
