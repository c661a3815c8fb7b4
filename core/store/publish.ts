/**
 * Adding an image to a store.
 *
 * The node is assembled in a temporary directory, then published: first the
 * index link (dangling, so the image is not visible yet), then one rename(2)
 * that moves the node into its parent's. A crash before the rename leaves a
 * dangling link and a temporary directory, both of which `plash clean` removes.
 *
 * @module
 */

import { NoImageError, PlashError } from "../errors.ts";
import { makeCheckpoint } from "./checkpoint.ts";
import { type ImageConfig, mergeConfig, readConfig } from "./image_config.ts";
import { nodeConfigFile, nodeDataDir, nodeLayerDir } from "./layout.ts";
import type { Store } from "./store.ts";
import { removeTree } from "./tmp.ts";

/**
 * The most layers an image may stack, the empty root's included. Overlayfs
 * mounts at most 500 lower directories, but a deep image mounts the layers
 * above its checkpoint (`checkpoint.ts`); the bound is the node's path, one
 * directory a layer: with ids of up to five digits, 600 levels stay within
 * PATH_MAX (4096) with room for the paths of the files inside.
 */
export const MAX_DEPTH = 600;

/**
 * Publishes `layerDir` as the layer of a new image on `parent` and returns the
 * new id. `layerDir` is moved (renamed), so it must be on the store's
 * filesystem; stage it in a directory of `store.makeTmpDir()`. When this
 * throws, `layerDir` is back where it was.
 */
export function publishLayer(
  store: Store,
  parent: number,
  layerDir: string,
  config: ImageConfig = {},
): number {
  // Said before `layerDir` moves: a directory of the caller's own stays where it was.
  parentChain(store, parent);
  const stage = store.makeTmpDir();
  try {
    const node = `${stage}/node`;
    Deno.mkdirSync(nodeDataDir(node), { recursive: true, mode: 0o755 });
    try {
      Deno.renameSync(layerDir, nodeLayerDir(node));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new PlashError(`no such layer directory: ${layerDir}`);
      }
      throw error;
    }
    try {
      return publishNode(store, parent, node, config);
    } catch (error) {
      // Back where the caller had it, who removes it (files a rootless import
      // chowned to other ids are closed to the caller) or keeps it (its own).
      try {
        Deno.renameSync(nodeLayerDir(node), layerDir);
      } catch { /* then it goes with the stage */ }
      throw error;
    }
  } finally {
    removeTree(stage);
  }
}

/**
 * Publishes `node`, a node directory staged in a directory of
 * `store.makeTmpDir()` that holds its layer (`nodeLayerDir(node)`), as a new
 * image on `parent`; returns the new id. Only `node` moves, not its layer:
 * a layer whose root another user owns (a container's writable layer after
 * `chown 1000 /`) may not be moved to another directory by its caller.
 */
export function publishNode(
  store: Store,
  parent: number,
  node: string,
  config: ImageConfig = {},
): number {
  const chain = parentChain(store, parent);
  const id = store.allocateId();
  let linked = false;
  try {
    const merged = mergeConfig(readConfig(store.nodeOf(chain)), {
      ...config,
      created: new Date().toISOString(),
    });
    Deno.writeTextFileSync(nodeConfigFile(node), JSON.stringify(merged) + "\n");
    makeCheckpoint(store, chain, node, nodeLayerDir(node));
    Deno.symlinkSync(store.nodeLink([...chain, id]), store.indexLink(id));
    linked = true;
    try {
      Deno.renameSync(node, store.nodeOf([...chain, id]));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new NoImageError(parent, "adding a layer on it", { cause: error });
      }
      throw error;
    }
    return id;
  } catch (error) {
    if (linked) {
      try {
        Deno.removeSync(store.indexLink(id));
      } catch { /* already gone */ }
    }
    throw error;
  }
}

/** The chain of image `parent`, which may have one more layer. */
function parentChain(store: Store, parent: number): number[] {
  const chain = store.chain(parent);
  if (chain.length >= MAX_DEPTH) {
    throw new PlashError(
      `image ${parent} has ${chain.length} layers: an image can have at most ${MAX_DEPTH}`,
    );
  }
  return chain;
}
