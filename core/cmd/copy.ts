/**
 * `plash copy ID DIR`: an image's files copied into DIR, which must be
 * missing or empty.
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { Store } from "../store/store.ts";
import { copyTree } from "../tree/copy_tree.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [id, dir] = args.positionals;
  const store = Store.open();
  copyTree(store.layersOf(store.chain(await imageArg(store, id))), dir);
}
