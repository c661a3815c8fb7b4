/**
 * The plash layers an export writes: those of an image's chain above the
 * empty root, or above a base image given (`--base ID`), the bottom one
 * first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imageLayers } from "./image_layers.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const files = store.makeTmpDir();
 * Deno.writeTextFileSync(`${files}/hello`, "hi\n");
 * const base = store.addLayer(0, files);
 * const id = store.addLayer(base, store.makeTmpDir(), { env: { A: "1" } }); // a config-only layer
 * const layers = imageLayers(store, id).map(({ id, empty }) => ({ id, empty }));
 * assert.deepEqual(layers, [{ id: base, empty: false }, { id, empty: true }]);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import type { Store } from "../store/store.ts";

/** One plash layer of an export. */
export interface ImageLayer {
  /** The image whose layer it is. */
  id: number;
  /** Its layer directory. */
  dir: string;
  /**
   * Whether the layer holds nothing but its root directory: a layer that only
   * changes the config (`--env`, an imported image's config). It becomes an
   * `empty_layer` history entry, not an OCI layer.
   */
  empty: boolean;
  /** When it was made, ISO 8601, when the image says. */
  created?: string;
}

/**
 * The layers of image `id` above image `base` (0, the empty root, by
 * default), which must be `id` itself or below it. An image that is not
 * there fails as `no image: ID`.
 */
export function imageLayers(store: Store, id: number, base = 0): ImageLayer[] {
  const chain = store.chain(id);
  const start = chain.indexOf(base);
  if (start < 0) throw new PlashError(`image ${base} is not below image ${id}`);
  return chain.slice(start + 1).map((each) => {
    const dir = store.layer(each);
    const empty = Deno.readDirSync(dir)[Symbol.iterator]().next().done === true;
    return { id: each, dir, empty, created: store.config(each).created };
  });
}
