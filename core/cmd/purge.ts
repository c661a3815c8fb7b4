/** `plash purge [--yes]` @module */

import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { purgeStore } from "../store/purge.ts";
import { Store } from "../store/store.ts";

/** Runs the command line; without --yes it asks on a terminal and refuses elsewhere. */
export function main(args: Args): void {
  const store = Store.at();
  if (!args.flag("yes")) {
    if (!Deno.stdin.isTerminal()) {
      throw new PlashError(
        `refusing to delete ${store.root} without --yes (stdin is not a terminal)`,
      );
    }
    if (!confirm(`Delete all images in ${store.root}?`)) throw new PlashError("purge cancelled");
  }
  purgeStore(store);
}
