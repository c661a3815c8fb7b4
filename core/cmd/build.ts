/**
 * `plash build MACRO...`: builds an image and prints its id, the only thing
 * on stdout; the build's own output goes to stderr.
 *
 * @module
 */

import { build } from "../build/builder.ts";
import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  printLine(await build(Store.open(), args.positionals));
}
