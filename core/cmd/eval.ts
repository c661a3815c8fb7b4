/**
 * `plash eval MACRO...`: prints the build script the macros make, hints
 * included, without building anything (a `--from-*` may still import its
 * image).
 *
 * @module
 */

import { evalContext, evaluate, renderSteps } from "../build/evaluate.ts";
import { tokenize } from "../build/tokenize.ts";
import type { Args } from "../cli/parse_args.ts";
import { writeOut } from "../cli/output.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  // The store is opened only when a macro needs it: eval of a script creates none.
  const context = evalContext(() => Store.open());
  writeOut(renderSteps(await evaluate(tokenize(args.positionals), context)));
}
