/** `plash rm ID...` @module */

import { openStore } from "../store/data_dir.ts";
import { parseImageId } from "../store/ids.ts";
import { removeImage } from "../store/remove.ts";
import { expectArgs } from "./args.ts";

/** Runs the command line. */
export function main(args: string[]): void {
  expectArgs("rm", args, 1, Infinity);
  const data = openStore();
  const ids = args.map(parseImageId);
  for (const id of ids) removeImage(data, id);
}
