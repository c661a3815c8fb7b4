/** `plash mkdtemp` @module */

import { parentPid } from "../../ffi/sys.ts";
import { printLine } from "../cli/output.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. The directory belongs to the caller (plash's parent process). */
export function main(): void {
  printLine(Store.open().makeTmpDir(parentPid()));
}
