/** `plash rm ID...` @module */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { removingTrees } from "../runtime/tree_removal.ts";
import { removeImage } from "../store/remove.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const store = Store.open();
  const ids: number[] = [];
  // Every argument is read before anything is removed.
  for (const arg of args.positionals) ids.push(await imageArg(store, arg));
  // As the caller: only files it may not remove go to plash's user namespace.
  await removingTrees((remove) => {
    for (const id of ids) removeImage(store, id, remove);
  });
}
