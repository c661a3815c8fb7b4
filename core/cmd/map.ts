/** `plash map KEY [ID|'']` @module */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { parseImageId } from "../store/ids.ts";
import { Store } from "../store/store.ts";

/** Runs the command line: prints nothing (and exits 0) for an unmapped key, as plash did. */
export function main(args: Args): void {
  const [key, id] = args.positionals;
  const store = Store.open();
  if (id === undefined) {
    const found = store.getMap(key);
    if (found !== undefined) printLine(found);
  } else if (id === "") {
    store.deleteMap(key);
  } else {
    store.setMap(key, parseImageId(id));
  }
}
