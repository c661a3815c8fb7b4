/**
 * Notes on an image: what plash learned about it after making it, kept as
 * `<node>/_data/notes/<name>.json` beside its config. Where the blobs of a
 * pulled or pushed layer are in registries is one (see
 * `images/blob_notes.ts`): a push uses it to send a registry no layer it
 * already has.
 *
 * A note is a hint, never the image: the image is the same with or without
 * it, a note may be missing (written after the image was published, or
 * lost to a crash) and is replaced whole with one rename(2), so a reader
 * sees the old one or the new one. Not on the start path: `Store` does not
 * load this module.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imageNote, setImageNote } from "./notes.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * setImageNote(store, id, "example", { seen: true });
 * assert.deepEqual(imageNote(store, id, "example"), { seen: true });
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { nodeNoteFile } from "./layout.ts";
import type { Store } from "./store.ts";
import { removeTree } from "./tmp.ts";

const NAME = /^[a-z][a-z0-9-]*$/;

function notePath(store: Store, id: number, name: string): string {
  if (!NAME.test(name)) throw new PlashError(`bad note name: ${JSON.stringify(name)}`);
  return nodeNoteFile(store.node(id), name);
}

/** Note `name` of image `id`, or undefined when it has none (or an unreadable one). */
export function imageNote(store: Store, id: number, name: string): unknown {
  try {
    return JSON.parse(Deno.readTextFileSync(notePath(store, id, name)));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * Writes note `name` of image `id` as `value` (JSON): written in a
 * temporary directory of the store, then renamed over the old one.
 */
export function setImageNote(store: Store, id: number, name: string, value: unknown): void {
  const path = notePath(store, id, name);
  const stage = store.makeTmpDir();
  try {
    const partial = `${stage}/${name}.json`;
    Deno.writeTextFileSync(partial, JSON.stringify(value) + "\n", { mode: 0o644 });
    Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true, mode: 0o755 });
    Deno.renameSync(partial, path);
  } finally {
    removeTree(stage);
  }
}
