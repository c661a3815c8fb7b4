/** `plash parent ID` @module */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { PlashError } from "../errors.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const store = Store.open();
  const parent = store.parent(await imageArg(store, args.positionals[0]));
  if (parent === undefined) throw new PlashError("the empty root image 0 has no parent");
  printLine(parent);
}
