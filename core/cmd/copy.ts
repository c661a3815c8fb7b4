/**
 * `plash copy ID DIR`: an image's files copied into DIR, which must be
 * missing or empty.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { parseImageId } from "../store/ids.ts";
import { Store } from "../store/store.ts";
import { copyTree } from "../tree/copy_tree.ts";

/** Runs the command line. */
export function main(args: Args): void {
  const [id, dir] = args.positionals;
  const store = Store.open();
  copyTree(store.layersOf(store.chain(parseImageId(id))), dir);
}
