/** `plash rm ID...` @module */

import type { Args } from "../cli/parse_args.ts";
import { parseImageId } from "../store/ids.ts";
import { removeImage } from "../store/remove.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export function main(args: Args): void {
  const ids = args.positionals.map((id) => parseImageId(id));
  const store = Store.open();
  for (const id of ids) removeImage(store, id);
}
