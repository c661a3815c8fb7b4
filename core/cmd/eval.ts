/**
 * `plash eval MACRO...`: prints the build script the macros make, hints
 * included, without building anything (a `--from-*` may still import its
 * image).
 *
 * @module
 */

import { evalContext, evaluate, renderSteps } from "../build/evaluate.ts";
import { tokenize } from "../build/tokenize.ts";
import { usageError, writeOut } from "./args.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<void> {
  if (args.length === 0) throw usageError("eval");
  writeOut(renderSteps(await evaluate(tokenize(args), evalContext())));
}
