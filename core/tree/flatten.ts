/**
 * Flattening an image's layers into a checkpoint (see
 * `core/store/checkpoint.ts`): the merged view with every file but
 * directories hard-linked to its layer's. Importing this module is what
 * turns checkpoints on: every module that publishes images imports it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flattenLayers } from "./flatten.ts";
 *
 * const dir = Deno.makeTempDirSync(); // two layers, top first, as `store.layersOf` gives them
 * Deno.mkdirSync(`${dir}/top`);
 * Deno.mkdirSync(`${dir}/base`);
 * Deno.writeTextFileSync(`${dir}/base/hello`, "hello\n");
 * flattenLayers([`${dir}/top`, `${dir}/base`], `${dir}/flat`);
 * assert.equal(Deno.statSync(`${dir}/flat/hello`).ino, Deno.statSync(`${dir}/base/hello`).ino);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { flattenCheckpointsWith } from "../store/checkpoint.ts";
import { copyTree } from "./copy_tree.ts";

/**
 * Makes the merged view of `layers` (top first) at `dest`, which must not
 * exist: directories made anew with their owner, mode, times and xattrs,
 * everything else a hard link. On failure, `dest` is removed again.
 */
export function flattenLayers(layers: string[], dest: string): void {
  copyTree(layers, dest, { linkFiles: true });
}

// Loading this module lets the store make checkpoints (it cannot import the
// tree code itself): each module that publishes images imports it, and they
// load lazily, so a start that makes none (`plash run`) does not load it.
flattenCheckpointsWith(flattenLayers);
