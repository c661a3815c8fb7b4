/** `plash nodepath ID` @module */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { parseImageId } from "../store/ids.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export function main(args: Args): void {
  printLine(Store.open().node(parseImageId(args.positionals[0])));
}
