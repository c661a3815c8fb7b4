/**
 * `plash ls`: what each image is.
 *
 * @module
 */

import { readConfig } from "./image_config.ts";
import { nodeDataDir } from "./layout.ts";
import type { Store } from "./store.ts";

/**
 * One image as `plash ls` shows it.
 *
 * @example
 * ```ts
 * import { listImages } from "./list.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * store.addLayer(0, store.makeTmpDir());
 * const [info] = listImages(store);
 * console.log(info.id, info.parent, info.names, info.totalSize, info.created);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export interface ImageInfo {
  /** The image. */
  id: number;
  /** Its parent; 0 is the empty root. */
  parent: number;
  /** Map keys naming it. */
  names: string[];
  /** Bytes in its own layer (not its parents'). */
  size: number;
  /** Bytes in its layer and its parents' layers: what a run of it reads from. */
  totalSize: number;
  /** When it was made, ISO 8601. */
  created: string;
}

/**
 * Describes every image in `store`, oldest first. A snapshot that never
 * fails on another process's change: an image removed while it is read is
 * left out; one there for the whole call is always listed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listImages } from "./list.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * store.setMap("empty", store.addLayer(0, store.makeTmpDir()));
 * for (const image of listImages(store)) console.log(image.id, image.names);
 * assert.deepEqual(listImages(store).map((image) => image.names), [["empty"]]);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export function listImages(store: Store): ImageInfo[] {
  const names = new Map<number, string[]>();
  for (const entry of store.mapEntries()) {
    names.set(entry.id, [...(names.get(entry.id) ?? []), entry.key]);
  }
  const sizes = new LayerSizes(store);
  const images: ImageInfo[] = [];
  for (const id of store.imageIds()) {
    try {
      const chain = store.chain(id);
      images.push({
        id,
        parent: chain[chain.length - 2],
        names: (names.get(id) ?? []).sort(),
        size: sizes.layer(id),
        totalSize: sizes.total(chain),
        created: createdOf(store.nodeOf(chain)),
      });
    } catch (error) {
      // Removed since the index was read: not an image of this snapshot.
      if (store.exists(id)) throw error;
    }
  }
  return images;
}

/** When the image at node `node` was made: its config says, else its layer's mtime. */
export function createdOf(node: string): string {
  return readConfig(node).created ?? Deno.statSync(nodeDataDir(node)).mtime!.toISOString();
}

/**
 * The sizes of the layers of a store, each walked once however many images
 * stand on it.
 *
 * @example
 * ```ts
 * import { LayerSizes } from "./list.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * const sizes = new LayerSizes(store);
 * sizes.total(store.chain(id)); // bytes in the image's layer and its parents'
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export class LayerSizes {
  readonly #store: Store;
  readonly #sizes = new Map<number, number>();

  /** Sizes of the layers of `store`. */
  constructor(store: Store) {
    this.#store = store;
  }

  /** Bytes in image `id`'s own layer. */
  layer(id: number): number {
    let size = this.#sizes.get(id);
    if (size === undefined) this.#sizes.set(id, size = treeSize(this.#store.layer(id)));
    return size;
  }

  /** Bytes in the layers of the image whose chain is `chain` (the empty root's is empty). */
  total(chain: number[]): number {
    return chain.reduce((sum, id) => sum + (id === 0 ? 0 : this.layer(id)), 0);
  }
}

function treeSize(path: string): number {
  let size = 0;
  for (const entry of Deno.readDirSync(path)) {
    const child = `${path}/${entry.name}`;
    size += entry.isDirectory ? treeSize(child) : Deno.lstatSync(child).size;
  }
  return size;
}
