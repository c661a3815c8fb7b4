/** `plash data [CMD...]` @module */

import { chdir } from "../../ffi/sys.ts";
import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { execHostCommand } from "../runtime/exec.ts";
import { asNamespaceRoot } from "../runtime/user_namespace.ts";
import { dataDir } from "../store/data_dir.ts";
import { Store } from "../store/store.ts";

/**
 * Runs the command line. Without CMD it prints the data directory as the
 * environment names it (a relative PLASH_DATA as it is, as the original
 * plash printed it), made or not: it only reads.
 */
export async function main(args: Args): Promise<number> {
  if (args.positionals.length === 0) return printLine(dataDir()), 0;
  const root = Store.open().root;
  const run = () => {
    chdir(root);
    execHostCommand(args.positionals);
  };
  // Without root the command runs as root of plash's user namespace, in a child of plash.
  if (Deno.uid() !== 0) return await asNamespaceRoot(run);
  run();
  return 0; // not reached: run execs
}
