/**
 * `plash complete-images`: what completes where an image goes, a line each:
 * ids, names, references (Docker Hub's also as docker shortens them). For
 * the completion scripts; without a store it prints nothing.
 *
 * @module
 */

import { writeOut } from "../cli/output.ts";
import { imageNames } from "../images/names.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export function main(): void {
  let store: Store;
  try {
    store = Store.open();
  } catch {
    return; // nothing to complete from
  }
  const words = store.imageIds().map(String);
  for (const name of imageNames(store)) {
    words.push(name.shown);
    // What `plash run alpine:3.20` finds: docker.io/library/alpine:3.20.
    const short = name.kind === "reference" && name.shown.match(/^docker\.io\/(?:library\/)?(.+)$/);
    if (short) words.push(short[1]);
  }
  if (words.length) writeOut([...new Set(words)].join("\n") + "\n");
}
