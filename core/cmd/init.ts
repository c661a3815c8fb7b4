/** `plash init` @module */

import { Store } from "../store/store.ts";

/** Runs the command line. */
export function main(): void {
  Store.at().init();
}
