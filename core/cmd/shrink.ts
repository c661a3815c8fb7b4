/** `plash shrink` @module */

import { shrinkStore } from "../store/shrink.ts";
import { Store } from "../store/store.ts";

/** Runs the command line; reports on stderr what it removed. */
export function main(): void {
  const removed = shrinkStore(Store.open());
  console.error(removed.length ? `removed images: ${removed.join(" ")}` : "nothing to remove");
}
