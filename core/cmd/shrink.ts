/** `plash shrink` @module */

import { removingTrees } from "../runtime/tree_removal.ts";
import { shrinkStore } from "../store/shrink.ts";
import { Store } from "../store/store.ts";

/** Runs the command line; reports on stderr what it removed. */
export async function main(): Promise<void> {
  const store = Store.open();
  const removed = await removingTrees((remove) => shrinkStore(store, remove));
  console.error(removed.length ? `removed images: ${removed.join(" ")}` : "nothing to remove");
}
