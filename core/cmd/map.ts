/** `plash map KEY [ID|'']` @module */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { Store } from "../store/store.ts";

/** Runs the command line: prints nothing (and exits 0) for an unmapped key, as plash did. */
export async function main(args: Args): Promise<void> {
  const [key, id] = args.positionals;
  const store = Store.open();
  if (id === undefined) {
    const found = store.getMap(key);
    if (found !== undefined) printLine(found);
  } else if (id === "") {
    store.deleteMap(key);
  } else {
    store.setMap(key, await imageArg(store, id));
  }
}
