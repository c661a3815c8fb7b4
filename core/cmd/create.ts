/**
 * `plash create ID CMD...`: runs CMD in a child plash whose changes are kept,
 * then publishes them as a new image on ID.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { createImage } from "../runtime/create_image.ts";
import { parseImageId } from "../store/ids.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<number> {
  const [id, ...command] = args.positionals;
  const store = Store.open();
  printLine(await createImage(store, parseImageId(id), command, { what: `create: ${command[0]}` }));
  return 0;
}
