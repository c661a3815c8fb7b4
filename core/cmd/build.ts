/**
 * `plash build [-q|--quiet] MACRO...`: builds an image and prints its id, the only thing
 * on stdout; the build's own output goes to stderr.
 *
 * @module
 */

import { build } from "../build/builder.ts";
import { findCommand } from "../cli/commands/mod.ts";
import { type Args, usageError } from "../cli/parse_args.ts";
import { setQuiet } from "../images/progress.ts";
import { printLine } from "../cli/output.ts";
import { Store } from "../store/store.ts";

/** Runs the command line: `-q`/`--quiet` first, then the macros. */
export async function main(args: Args): Promise<void> {
  const [first, ...rest] = args.positionals;
  const quiet = first === "-q" || first === "--quiet";
  if (quiet && rest.length === 0) throw usageError(findCommand("build")!);
  setQuiet(quiet);
  printLine(await build(Store.open(), quiet ? rest : args.positionals, { quiet }));
}
