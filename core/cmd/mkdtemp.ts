/** `plash mkdtemp` @module */

import { parentPid } from "../../ffi/sys.ts";
import { openStore } from "../store/data_dir.ts";
import { makeTmpDir } from "../store/tmp.ts";
import { expectArgs, printLine } from "./args.ts";

/** Runs the command line. The directory belongs to the caller (plash's parent process). */
export function main(args: string[]): void {
  expectArgs("mkdtemp", args, 0);
  printLine(makeTmpDir(openStore(), parentPid()));
}
