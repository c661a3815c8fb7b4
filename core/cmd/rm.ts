/** `plash rm ID...` @module */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { removeImage } from "../store/remove.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const store = Store.open();
  const ids = [];
  // Every argument is read before anything is removed.
  for (const arg of args.positionals) ids.push(await imageArg(store, arg));
  for (const id of ids) removeImage(store, id);
}
