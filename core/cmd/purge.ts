/** `plash purge [--yes]` @module */

import { PlashError } from "../errors.ts";
import { dataDir } from "../store/data_dir.ts";
import { purgeStore } from "../store/purge.ts";
import { expectArgs, usageError } from "./args.ts";

/** Runs the command line; without --yes it asks on a terminal and refuses elsewhere. */
export function main(args: string[]): void {
  expectArgs("purge", args, 0, 1);
  if (args.length && args[0] !== "--yes") throw usageError("purge");
  const data = dataDir();
  if (args[0] !== "--yes") {
    if (!Deno.stdin.isTerminal()) {
      throw new PlashError(`refusing to delete ${data} without --yes (stdin is not a terminal)`);
    }
    if (!confirm(`Delete all images in ${data}?`)) throw new PlashError("purge cancelled");
  }
  purgeStore(data);
}
