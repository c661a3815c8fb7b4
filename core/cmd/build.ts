/**
 * `plash build [-q|--quiet] MACRO...`: builds an image and prints its id, the only thing
 * on stdout; the build's own output goes to stderr.
 *
 * @module
 */

import { macroMemoKey } from "../build/macro_memo.ts";
import { findCommand } from "../cli/commands/mod.ts";
import { type Args, usageError } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { lazyImport } from "../lazy_import.ts";
import { Store } from "../store/store.ts";

/** Runs the command line: `-q`/`--quiet` first, then the macros. */
export async function main(args: Args): Promise<void> {
  const [first, ...rest] = args.positionals;
  const quiet = first === "-q" || first === "--quiet";
  if (quiet && rest.length === 0) throw usageError(findCommand("build")!);
  if (quiet) {
    // Loaded only here: progress is shown by default, and a cached build shows none.
    const { setQuiet } = await lazyImport("progress");
    setQuiet(true);
  }
  const words = quiet ? rest : args.positionals;
  const store = Store.open();
  const memo = await macroMemoKey(store, words, Deno.cwd());
  const found = memo && store.getMap(memo);
  if (found !== undefined) return printLine(found);
  // Loaded only here: a memoized build evaluates no macro.
  const { build } = await lazyImport("builder");
  const id = await build(store, words, { quiet });
  if (memo) store.setMap(memo, id);
  printLine(id);
}
