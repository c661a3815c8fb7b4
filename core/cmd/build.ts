/**
 * `plash build MACRO...`: builds an image and prints its id, the only thing
 * on stdout; the build's own output goes to stderr.
 *
 * @module
 */

import { build } from "../build/builder.ts";
import { printLine, usageError } from "./args.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<void> {
  if (args.length === 0) throw usageError("build");
  printLine(await build(args));
}
