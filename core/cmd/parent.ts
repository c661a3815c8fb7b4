/** `plash parent ID` @module */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { PlashError } from "../errors.ts";
import { parseImageId } from "../store/ids.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export function main(args: Args): void {
  const parent = Store.open().parent(parseImageId(args.positionals[0]));
  if (parent === undefined) throw new PlashError("the empty root image 0 has no parent");
  printLine(parent);
}
