/**
 * The image store: a data directory of images (`$PLASH_DATA`, default
 * `~/.plashdata`). Images are numbers; 0 is the empty root every image
 * stands on, and an image is its layer on its parent's image.
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { listImages, Store } from "@plash/plash/store";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`); // `plash init`
 * const layer = store.makeTmpDir();
 * Deno.writeTextFileSync(`${layer}/hello`, "hi\n");
 * const id = store.addLayer(0, layer); // a new image on the empty root
 * assert.deepEqual(listImages(store).map((image) => image.id), [id]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

export { Store, type StoredImage } from "./store.ts";
export { StoreLayout } from "./layout.ts";
export type { Healthcheck, ImageConfig } from "./image_config.ts";
export type { MapEntry } from "./map.ts";
export { type ImageInfo, listImages } from "./list.ts";
export { removeImage } from "./remove.ts";
export { type CleanParts, type CleanReport, cleanStore } from "./clean.ts";
export { shrinkStore } from "./shrink.ts";
export { purgeStore } from "./purge.ts";
export type { TreeRemover } from "./tmp.ts";
