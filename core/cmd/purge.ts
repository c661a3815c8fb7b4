/** `plash purge [--yes]` @module */

import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { removingTrees } from "../runtime/tree_removal.ts";
import { purgeStore } from "../store/purge.ts";
import { Store } from "../store/store.ts";

/**
 * Runs the command line. Without --yes it asks, and reads the answer from
 * stdin, terminal or pipe (`echo y | plash purge`, as with the original
 * plash); anything but y or yes deletes nothing.
 */
export async function main(args: Args): Promise<void> {
  const store = Store.at();
  if (!args.flag("yes")) {
    // Asked on a terminal only: a piped answer needs no question on the error's line.
    if (Deno.stdin.isTerminal()) {
      Deno.stderr.writeSync(
        new TextEncoder().encode(`Delete all images and data in ${store.root}? [y/N] `),
      );
    }
    const answer = readLine().trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") {
      throw new PlashError("purge not confirmed: nothing deleted");
    }
  }
  await removingTrees((remove) => purgeStore(store, remove));
}

/** One line of stdin, without its newline; "" at its end. */
function readLine(): string {
  const bytes: number[] = [];
  const byte = new Uint8Array(1);
  // A byte at a time: nothing after the answer is taken from stdin.
  while (Deno.stdin.readSync(byte) === 1 && byte[0] !== 10) bytes.push(byte[0]);
  return new TextDecoder().decode(new Uint8Array(bytes));
}
