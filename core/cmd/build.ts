/**
 * `plash build [-q|--quiet] MACRO...`: builds an image and prints its id, the only thing
 * on stdout; the build's own output goes to stderr.
 *
 * @module
 */

import { macroMemoKey } from "../build/macro_memo.ts";
import { findCommand } from "../cli/commands.ts";
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
    const { setQuiet } = await lazyImport<typeof import("../images/progress.ts")>(
      "core/images/progress.ts",
    );
    setQuiet(true);
  }
  const words = quiet ? rest : args.positionals;
  const store = Store.open();
  const memo = await macroMemoKey(store, words, Deno.cwd());
  const found = memo && store.getMap(memo);
  if (found !== undefined) return printLine(found);
  // Loaded only here: a memoized build evaluates no macro.
  const { build } = await lazyImport<typeof import("../build/builder.ts")>(
    "core/build/builder.ts",
  );
  const id = await build(store, words, { quiet });
  if (memo) store.setMap(memo, id);
  printLine(id);
}
