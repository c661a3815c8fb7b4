/**
 * Checkpoints: an image whose depth (its layers, the empty root's aside) is a
 * multiple of {@linkcode CHECKPOINT_EVERY} also keeps, in its node, its whole
 * chain flattened into one directory: the merged view, whiteouts and opaque
 * directories applied, directories made anew and every other file a hard
 * link to the file in its layer (no data copied; overlay never writes a
 * lower layer). A mount of an image at depth d then stacks the layers above
 * the nearest checkpoint at or below d and that checkpoint: at most
 * CHECKPOINT_EVERY lower directories however deep the image, where overlay's
 * cost grows with each layer (see bench/README.md) and stops at 500.
 *
 * A checkpoint is only speed: one that cannot be made (a rootless caller
 * that may not hard-link another's file, a full disk) is left out, and the
 * image mounts all its layers. It is made only while its image is staged,
 * never added to a published image. Whatever reads an image's files
 * (exports, pushes, copies) reads its layers, not the checkpoint.
 *
 * The flattening itself is the tree's (`core/tree/flatten.ts`, which hands
 * it to {@linkcode flattenCheckpointsWith}): the store only says when and
 * where.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CHECKPOINT_EVERY, mountedLayers } from "./checkpoint.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * assert.ok(CHECKPOINT_EVERY > 1);
 * assert.deepEqual(mountedLayers(store, store.chain(id)).layers, store.layersOf([0, id]));
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 *
 * @module
 */

import { exists } from "../../ffi/sys.ts";
import { nodeCheckpointDir, type StoreLayout } from "./layout.ts";
import { removeTree } from "./tmp.ts";

/**
 * Every how many layers an image gets a checkpoint. Measured (bench/README.md,
 * "Issue 23: depth by flattened checkpoints"): a lower layer costs a run about
 * 0.04 ms of CPU, a checkpoint of Debian's minbase tree 0.3-0.4 s to make: at
 * 32, a mount's lower directories cost at most about 1.3 ms.
 */
export const CHECKPOINT_EVERY = 32;

/**
 * Makes the merged view of `layers` (top first) at `dest`, which it creates,
 * files hard-linked; throws (having removed what it made) when it cannot.
 */
export type Flatten = (layers: string[], dest: string) => void;

let flatten: Flatten | undefined;

/**
 * Makes checkpoints with `how` from now on (without it, none are made): the
 * store cannot import the tree code that merges layers, which sits above it.
 */
export function flattenCheckpointsWith(how: Flatten): void {
  flatten = how;
}

/**
 * Whether checkpoints are neither made nor mounted: `PLASH_CHECKPOINTS=off`,
 * for tests that compare an image's view with and without its checkpoints.
 */
function checkpointsOff(): boolean {
  return Deno.env.get("PLASH_CHECKPOINTS") === "off";
}

/** The lower directories that mount an image, top first, and the same as nested names. */
export interface MountedLayers {
  /** The directories, top (newest) first: layers, then maybe a checkpoint. */
  layers: string[];
  /** The same by their names in the nested nodes (see `ffi/overlay.ts`). */
  nested: { top: string; layer: string; bottom?: string };
}

/**
 * What to mount for the image whose chain is `chain`: the layers above its
 * nearest checkpoint and the checkpoint, or all its layers when there is none.
 */
export function mountedLayers(store: StoreLayout, chain: number[]): MountedLayers {
  const depth = chain.length - 1;
  if (depth >= CHECKPOINT_EVERY && !checkpointsOff()) {
    for (let at = depth - depth % CHECKPOINT_EVERY; at > 0; at -= CHECKPOINT_EVERY) {
      const checkpoint = store.checkpoint(chain[at]);
      // Only publish makes one, always a directory: whether it is there says enough.
      if (!exists(checkpoint)) continue;
      // Only the layers above it: the paths of all of a deep chain's took a run 0.25 ms.
      return {
        layers: [...store.layersOf(chain.slice(at + 1)), checkpoint],
        nested: store.nestedLayers(chain, true),
      };
    }
  }
  return { layers: store.layersOf(chain), nested: store.nestedLayers(chain) };
}

/**
 * Makes the checkpoint of a new image, staged at `node` with its layer in
 * `layer`, on the image whose chain is `parentChain`, when its depth calls
 * for one. A checkpoint that cannot be made is left out (see the module).
 */
export function makeCheckpoint(
  store: StoreLayout,
  parentChain: number[],
  node: string,
  layer: string,
): void {
  if (flatten === undefined || parentChain.length % CHECKPOINT_EVERY !== 0) return;
  if (checkpointsOff()) return;
  // The parent's own checkpoint, when it has one below, spares reading its whole chain.
  const below = mountedLayers(store, parentChain).layers;
  const dest = nodeCheckpointDir(node);
  try {
    flatten([layer, ...below], dest);
  } catch {
    // Only speed is lost: the image mounts its layers. A part of a checkpoint
    // would be mounted as if whole: if it cannot go, the image is not made.
    removeTree(dest);
  }
}
