/**
 * `plash copy ID DIR`: an image's files copied into DIR, which must be
 * missing or empty. Without root in one start (`core/images/copy_image.ts`).
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { copyImage } from "../images/copy_image.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [id, dir] = args.positionals;
  const store = Store.open();
  await copyImage(store.layersOf(store.chain(await imageArg(store, id))), dir);
}
