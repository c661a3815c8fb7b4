/** `plash data [CMD...]` @module */

import { chdir } from "../../ffi/sys.ts";
import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { execHostCommand } from "../runtime/exec.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export function main(args: Args): void {
  const store = Store.open();
  if (args.positionals.length === 0) return printLine(store.root);
  chdir(store.root);
  execHostCommand(args.positionals);
}
