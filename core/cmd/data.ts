/** `plash data [CMD...]` @module */

import { chdir } from "../../ffi/sys.ts";
import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { execHostCommand } from "../runtime/exec.ts";
import { dataDir, Store } from "../store/store.ts";

/**
 * Runs the command line. Without CMD it prints the data directory as the
 * environment names it (a relative PLASH_DATA as it is, as the original
 * plash printed it), made or not: it only reads.
 */
export function main(args: Args): void {
  if (args.positionals.length === 0) return printLine(dataDir());
  chdir(Store.open().root);
  execHostCommand(args.positionals);
}
