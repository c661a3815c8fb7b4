/**
 * `plash inspect`: everything the store knows of one image.
 *
 * @module
 */

import type { ImageConfig } from "./image_config.ts";
import { keyKind, keyValue, shownKey } from "./keys.ts";
import { createdOf, LayerSizes } from "./list.ts";
import type { Store } from "./store.ts";

/** Where an image came from, as a map key of plash's records it. */
export interface ImageSource {
  /** The key's kind (see `keys.ts`): `docker-manifest`, `url`, `lxc`, `tar`, `cache`... */
  kind: string;
  /** What the key holds: a digest, a URL, an LXC name or build, a cache key. */
  value: string;
}

/** What `plash inspect` tells of an image. */
export interface ImageReport {
  /** The image. */
  id: number;
  /** Its parent; 0 is the empty root. */
  parent: number;
  /** Its ancestors, its parent first, down to the empty root 0. */
  parents: number[];
  /** Names given with `plash map` or `plash tag`. */
  names: string[];
  /** References it was pulled as. */
  references: string[];
  /** When it was made, ISO 8601. */
  created: string;
  /** Bytes in its own layer, and in its layer and its parents'. */
  size: { layer: number; total: number };
  /** What its runs use (see `image_config.ts`); `created` is above. */
  config: Omit<ImageConfig, "created">;
  /** Where it came from: plash's own keys of the image. */
  sources: ImageSource[];
}

/** Where an image came from first, then how it is kept (its config, its layer). */
const SOURCE_ORDER = ["docker-manifest", "url", "lxc", "tar", "cache", "docker-config"];

function rank(kind: string): number {
  const found = SOURCE_ORDER.indexOf(kind);
  return found < 0 ? SOURCE_ORDER.length : found;
}

/**
 * Describes image `id` of `store`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inspectImage } from "./inspect.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const layer = store.makeTmpDir();
 * Deno.writeTextFileSync(`${layer}/hello`, "hi\n");
 * const id = store.addLayer(0, layer, { entrypoint: ["/hello"] });
 * store.setMap("docker-ref:hello", id); // as a pull names the image it made
 * const report = inspectImage(store, id);
 * assert.deepEqual(report.references, ["hello"]);
 * assert.deepEqual(report.config.entrypoint, ["/hello"]);
 * assert.ok(report.size.total > 0);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export function inspectImage(store: Store, id: number): ImageReport {
  const chain = store.chain(id);
  try {
    return describe(store, id, chain);
  } catch (error) {
    throw store.explainGone(error, id, "inspecting it");
  }
}

function describe(store: Store, id: number, chain: number[]): ImageReport {
  const node = store.nodeOf(chain);
  const keys = store.mapEntries().filter((entry) => entry.id === id).map((entry) => entry.key)
    .filter((key) => store.getMap(key) === id).sort();
  const sizes = new LayerSizes(store);
  const { created: _, ...config } = store.config(id);
  return {
    id,
    parent: chain[chain.length - 2],
    parents: chain.slice(0, -1).reverse(),
    names: keys.filter((key) => keyKind(key).shown === "name"),
    references: keys.filter((key) => keyKind(key).shown === "reference").map(shownKey),
    created: createdOf(node),
    size: { layer: sizes.layer(id), total: sizes.total(chain) },
    config,
    sources: keys.filter((key) => keyKind(key).shown === "internal")
      .map((key) => ({ kind: keyKind(key).name, value: keyValue(key) }))
      .sort((a, b) => rank(a.kind) - rank(b.kind)),
  };
}
