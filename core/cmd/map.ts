/** `plash map KEY [ID|'']` @module */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { PlashError } from "../errors.ts";
import { userKeyProblem } from "../store/keys.ts";
import { Store } from "../store/store.ts";

/** Runs the command line: prints nothing (and exits 0) for an unmapped key, as plash did. */
export async function main(args: Args): Promise<void> {
  const [key, id] = args.positionals;
  // Refused for reading and removing too, as the original refused them.
  const problem = userKeyProblem(key);
  if (problem !== undefined) throw new PlashError(key === "" ? problem : `${problem}: ${key}`);
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
