/**
 * `plash create ID CMD...`: runs CMD in a child plash whose changes are kept,
 * then publishes them as a new image on ID.
 *
 * @module
 */

import { createImage } from "../runtime/create_image.ts";
import { openStore } from "../store/data_dir.ts";
import { parseImageId } from "../store/ids.ts";
import { expectArgs, printLine } from "./args.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<number> {
  expectArgs("create", args, 2, Infinity);
  const data = openStore();
  const id = parseImageId(args[0]);
  printLine(await createImage(data, id, args.slice(1), { what: `create: ${args[1]}` }));
  return 0;
}
