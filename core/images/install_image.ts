/**
 * Putting an OCI image into the store: one plash image per layer, each on
 * the one below, and on top an empty layer that holds the image's config.
 *
 * Layers are stored once. The layer with digest D on image P is mapped under
 * `KEYS.dockerLayer(P, D)`, so an image that shares a prefix of layers with
 * one already here reuses them, and the config image on layer image T under
 * `KEYS.dockerConfig(T, config digest)`. Keeping the config off the layers is
 * what lets an image built on another (`FROM`) share all of its layers.
 *
 * Missing layers download in parallel (three at a time), each unpacked into
 * a staging directory as it streams. Only when every one of them is there
 * and checked are they published, in order: a failure or an interrupt
 * leaves no image and no map entry behind.
 *
 * @module
 */

import { freeBytes } from "../../ffi/filesystem_status.ts";
import { PlashError } from "../errors.ts";
import type { ImageConfig } from "../store/image_config.ts";
import { addConfigLayer } from "../store/config_layer.ts";
import { KEYS } from "../store/keys.ts";
import { MAX_DEPTH, type Store } from "../store/store.ts";
import { removeTree } from "../store/tmp.ts";
import { removeStaged } from "../runtime/remove_staged.ts";
import { type PulledManifest, rememberBlob, rememberManifest } from "./blob_notes.ts";
import { runLimited } from "./limiter.ts";
import { startProgress } from "./progress.ts";
import { type LayerBlob, stageLayer } from "./stage_layer.ts";
import "../tree/flatten.ts"; // publishes images: lets the store make checkpoints
import { applyDeferred, deferredMetadata } from "./apply_deferred.ts";
import type { DeferredMetadata } from "../tree/deferred_metadata.ts";

/**
 * An image on its way into plash, whatever it comes from: what every OCI
 * reader (a registry's `registry/pull.ts`, `layout/read_layout.ts`,
 * `docker_archive/read_docker_archive.ts`) makes of its manifest and
 * config, its layers as streams opened when they are unpacked. The
 * counterpart of `outgoing_image.ts`.
 */
export interface IncomingImage {
  /** What the progress display is titled. */
  label: string;
  /** The digest of the image's config blob. */
  configDigest: string;
  /** What runs of the image use. */
  config: ImageConfig;
  /** The layers, the bottom one first. */
  layers: LayerBlob[];
  /** Map keys to point at the finished image (`docker:<manifest digest>`, ...). */
  keys: string[];
  /**
   * Where it was pulled from, with its manifest and config: noted on its
   * images (see `blob_notes.ts`) so that a push there reuses its blobs.
   */
  pulled?: PulledManifest;
}

/** How many layers download at once. */
const PARALLEL = 3;

/**
 * The most layers an imported image may have: the store's
 * {@linkcode MAX_DEPTH} counts the empty root below them and the config
 * image on top too.
 */
export const MAX_LAYERS = MAX_DEPTH - 2;

/**
 * Refuses an image of `count` layers that the store could not hold. Sources
 * call it as soon as they know the count, before anything is downloaded or
 * read; {@linkcode installImage} calls it again before anything is staged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLayerCount } from "./install_image.ts";
 *
 * checkLayerCount(10);
 * assert.throws(() => checkLayerCount(10_000), /10000 layers: an image can have at most 598/);
 * ```
 */
export function checkLayerCount(count: number): void {
  if (count <= MAX_LAYERS) return;
  throw new PlashError(
    `${count} layers: an image can have at most ${MAX_LAYERS} ` +
      `(${MAX_DEPTH} with the empty root and its config)`,
  );
}

/** Installs `image` in `store` (reusing what is there) and returns its id. */
export async function installImage(
  store: Store,
  image: IncomingImage,
  signal: AbortSignal,
): Promise<number> {
  checkLayerCount(image.layers.length);
  let parent = 0;
  let cached = 0;
  for (const layer of image.layers) {
    const id = layer.digest === undefined
      ? undefined
      : store.getMap(KEYS.dockerLayer(parent, layer.digest));
    if (id === undefined) break;
    parent = id;
    cached++;
  }
  const missing = image.layers.slice(cached);
  refuseTooLarge(store, missing);
  const deferred = deferredMetadata();
  let stages: string[] = [];
  try {
    stages = await stageLayers(store, missing, image.label, signal, deferred);
    await applyDeferred(deferred, stages.map((stage) => `${stage}/root`));
  } catch (error) {
    // Files the child chowned may be closed to the caller: removed as namespace root then.
    for (const stage of stages) await removeStaged(stage);
    throw error;
  }
  const layerIds: number[] = [];
  for (let id = parent; layerIds.length < cached; id = store.parent(id)!) layerIds.unshift(id);
  try {
    for (const [i, layer] of image.layers.slice(cached).entries()) {
      const id = store.addLayer(parent, `${stages[i]}/root`);
      if (layer.digest) store.setMap(KEYS.dockerLayer(parent, layer.digest), id);
      layerIds.push(id);
      parent = id;
    }
  } finally {
    for (const stage of stages) await removeStaged(stage);
  }
  const configKey = KEYS.dockerConfig(parent, image.configDigest);
  const top = store.getMap(configKey) ?? addConfigLayer(store, parent, image.config);
  for (const key of [configKey, ...image.keys]) store.setMap(key, top);
  if (image.pulled) notePulled(store, image, layerIds, top, image.pulled);
  return top;
}

/** Notes where the blobs of a pulled image are (see `blob_notes.ts`). */
function notePulled(
  store: Store,
  image: IncomingImage,
  layerIds: number[],
  top: number,
  pulled: PulledManifest,
): void {
  image.layers.forEach(({ digest, size, mediaType, diffId }, i) => {
    if (digest === undefined || size === undefined || mediaType === undefined) return;
    rememberBlob(store, layerIds[i], { digest, size, mediaType, diffId }, pulled.repository);
  });
  rememberManifest(store, top, pulled);
}

/**
 * Refuses, before anything is downloaded, a layer declared larger than the
 * free space where the store is: it could not be unpacked there, and a
 * server that declares 10 TB would otherwise be read until the disk is full.
 */
function refuseTooLarge(store: Store, layers: LayerBlob[]): void {
  if (layers.every((layer) => layer.size === undefined)) return;
  const free = freeBytes(store.root);
  for (const { name, size } of layers) {
    if (size === undefined || size <= free) continue;
    throw new PlashError(
      `layer ${name}: declared as ${size} bytes, more than the ${free} bytes free on the ` +
        "store's filesystem",
    );
  }
}

/**
 * Stages `layers`, a few at a time, and returns their staging directories
 * in order. The first failure stops the others; then every staging
 * directory is removed and that failure is thrown.
 */
async function stageLayers(
  store: Store,
  layers: LayerBlob[],
  label: string,
  signal: AbortSignal,
  deferred: DeferredMetadata | undefined,
): Promise<string[]> {
  if (layers.length === 0) return [];
  const progress = startProgress(label);
  const stages: string[] = [];
  try {
    return await runLimited(layers, PARALLEL, signal, async (layer, stopping) => {
      const stage = await stageLayer(store, layer, stopping, progress, deferred);
      stages.push(stage);
      return stage;
    });
  } catch (error) {
    for (const stage of stages) removeTree(stage);
    throw error;
  } finally {
    progress.finish();
  }
}
