/**
 * An image that changes only the config: a layer holding nothing but its
 * root directory (`--env` in a build, an imported image's config).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addConfigLayer } from "./config_layer.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const base = store.addLayer(0, store.makeTmpDir());
 * const id = addConfigLayer(store, base, { env: { LANG: "C.UTF-8" } });
 * assert.equal(store.parent(id), base);
 * assert.deepEqual(store.config(id).env, { LANG: "C.UTF-8" });
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 *
 * @module
 */

import type { ImageConfig } from "./image_config.ts";
import type { Store } from "./store.ts";
import { removeTree } from "./tmp.ts";

/**
 * A new image on `parent` with an empty layer and `config`. The layer's root
 * is the container's / when it is the top one: it keeps the mode and mtime
 * the layer below gives /, so such a layer changes no file (and an export,
 * which leaves it out, unpacks to the tree `plash copy` gives).
 */
export function addConfigLayer(store: Store, parent: number, config?: ImageConfig): number {
  const stage = store.makeTmpDir();
  try {
    const root = `${stage}/root`;
    const below = makeLayerRoot(store, parent, root);
    Deno.utimeSync(root, below.atime ?? new Date(), below.mtime!);
    return store.addLayer(parent, root, config);
  } finally {
    removeTree(stage);
  }
}

/**
 * Makes `dir`, a new layer's root on image `parent`, with the mode of the
 * layer root below it (the container's / keeps its mode); returns what that
 * root is.
 */
export function makeLayerRoot(store: Store, parent: number, dir: string): Deno.FileInfo {
  Deno.mkdirSync(dir);
  const below = Deno.statSync(store.layer(parent));
  Deno.chmodSync(dir, below.mode! & 0o7777);
  return below;
}
