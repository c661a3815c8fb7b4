/** `plash shrink` @module */

import { openStore } from "../store/data_dir.ts";
import { shrinkStore } from "../store/shrink.ts";
import { expectArgs } from "./args.ts";

/** Runs the command line; reports on stderr what it removed. */
export function main(args: string[]): void {
  expectArgs("shrink", args, 0);
  const removed = shrinkStore(openStore());
  console.error(removed.length ? `removed images: ${removed.join(" ")}` : "nothing to remove");
}
