/**
 * Build layers kept in a registry by their cache keys: what `plash build
 * --cache-to REG/REPO` writes and `--cache-from REG/REPO` reads.
 *
 * The layer built for key K is the tag `plash-K` of the repository: an OCI
 * manifest whose one layer is the layer (as `push` packs it) and whose
 * config, of type {@linkcode CACHE_CONFIG}, records the key chain:
 * `{"key": K, "parent": P, "diff_id": ...}`, P being the key of the layer
 * below (or the base's). Reading an entry checks all of it: the config's
 * key, the layer's digest and size as it downloads, its diff_id as it
 * unpacks; only then is it an image.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LayerCache } from "./layer_cache.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const base = store.addLayer(0, store.makeTmpDir());
 * const signal = AbortSignal.timeout(60_000);
 * // With `--cache-from 127.0.0.1:5000/cache`, say:
 * //   const id = await cache.pull(key, base, {}, signal); // undefined when the key is not there
 * // None listens on port 1: one line naming the URL.
 * const cache = new LayerCache(store, "127.0.0.1:1/cache");
 * await assert.rejects(cache.pull("ab12".repeat(16), base, {}, signal), /127\.0\.0\.1:1/);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 *
 * @module
 */

import { PlashError, wrap } from "../../errors.ts";
import type { ImageConfig } from "../../store/image_config.ts";
import type { Store } from "../../store/store.ts";
import { removeTree } from "../../store/tmp.ts";
import { rememberBlob } from "../blob_notes.ts";
import { checkDigest, shortDigest } from "../digest.ts";
import { isLayerType } from "../oci/media_types.ts";
import { documentsOf, type OutgoingImage } from "../outgoing_image.ts";
import { startProgress } from "../progress.ts";
import { stageLayer } from "../stage_layer.ts";
import { storeLayer } from "../store_image.ts";
import { RegistryClient } from "./client.ts";
import { RegistryWriter } from "./push.ts";
import { parseReference } from "./reference.ts";
import { Repository } from "./repository.ts";
import { Uploader } from "./upload.ts";
import { readingAsImageRoot } from "../../runtime/image_root_reader.ts";
import "../../tree/flatten.ts"; // publishes images: lets the store make checkpoints

/** The media type of a cache entry's config. */
export const CACHE_CONFIG = "application/vnd.plash.build-cache.config.v1+json";

/** What a cache entry's config records. */
interface CacheConfig {
  key: string;
  parent: string;
  diff_id: string;
}

/** One repository of a registry holding build layers by key. */
export class LayerCache {
  /** `REG/REPO`, as given. */
  readonly name: string;
  readonly #store: Store;
  readonly #registry: string;
  readonly #repository: string;

  /**
   * The cache at `name` (`host[:port]/repository`: no tag, no digest) for
   * `store`; a malformed name fails at once.
   */
  constructor(store: Store, name: string) {
    const ref = parseReference(name);
    if (ref.digest !== undefined || /:[\w][\w.-]*$/.test(name.slice(name.lastIndexOf("/")))) {
      throw new PlashError(`cache ${name}: name a repository (REG/REPO), without a tag`);
    }
    this.name = name;
    this.#store = store;
    this.#registry = ref.registry;
    this.#repository = ref.repository;
  }

  /**
   * The image made from the layer cached under `key`, on image `parent`
   * with `config`; undefined when the registry has no entry for the key.
   * `signal` stops it.
   */
  async pull(
    key: string,
    parent: number,
    config: ImageConfig,
    signal: AbortSignal,
  ): Promise<number | undefined> {
    const client = new RegistryClient(this.#registry, { signal });
    const repository = new Repository(client, this.#repository);
    const found = await repository.findManifest(tagOf(key));
    if (found === undefined) return undefined;
    const what = `cache entry ${tagOf(key)}`;
    try {
      if (found.document.kind !== "manifest") throw new PlashError("not an image manifest");
      const { manifest } = found.document;
      if (manifest.config.mediaType !== CACHE_CONFIG) {
        throw new PlashError(`its config is ${manifest.config.mediaType}, not plash's`);
      }
      const entry = parseCacheConfig(await repository.config(manifest.config));
      if (entry.key !== key) throw new PlashError(`it is the entry of key ${entry.key}`);
      const [layer, ...more] = manifest.layers;
      if (layer === undefined || more.length > 0 || !isLayerType(layer.mediaType)) {
        throw new PlashError("it does not hold one layer");
      }
      const progress = startProgress(`pulling cached layer ${shortDigest(`sha256:${key}`)}`);
      let stage: string;
      try {
        stage = await stageLayer(
          this.#store,
          {
            name: shortDigest(layer.digest),
            digest: layer.digest,
            size: layer.size,
            mediaType: layer.mediaType,
            diffId: entry.diff_id,
            open: () => repository.blob(layer, "blob"),
          },
          signal,
          progress,
        );
      } finally {
        progress.finish();
      }
      try {
        const id = this.#store.addLayer(parent, `${stage}/root`, config);
        const blob = { ...layer, diffId: entry.diff_id };
        rememberBlob(this.#store, id, blob, `${this.#registry}/${this.#repository}`);
        return id;
      } finally {
        removeTree(stage);
      }
    } catch (error) {
      throw wrap(error, what);
    }
  }

  /**
   * Puts the layer of image `id` as the entry for `key`, on the layer keyed
   * `parent`, unless the registry has that entry already. `signal` stops it.
   */
  async push(key: string, parent: string, id: number, signal: AbortSignal): Promise<void> {
    const client = new RegistryClient(this.#registry, { signal });
    const uploads = new Uploader(client, this.#repository);
    const repository = new Repository(client, this.#repository);
    if (await repository.findManifest(tagOf(key)) !== undefined) return;
    const writer = new RegistryWriter(this.#store, uploads, {
      registry: this.#registry,
      repository: this.#repository,
      compression: "gzip",
      signal,
    });
    const title = `pushing cached layer ${shortDigest(`sha256:${key}`)}`;
    // Packed with the image's owners, as root or not (see `push.ts`).
    const layers = this.#store.layersOf(this.#store.chain(id));
    await readingAsImageRoot(
      layers,
      () => writer.write(cacheEntry(this.#store, id, key, parent), tagOf(key), title),
    );
  }
}

/**
 * The layer of image `id` (also when it holds no files) as the entry for
 * `key` on the entry `parent`: its config is the key chain.
 */
function cacheEntry(store: Store, id: number, key: string, parent: string): OutgoingImage {
  return {
    layers: [storeLayer(store, id)],
    documents: (written) => {
      const config: CacheConfig = { key, parent, diff_id: written[0].blob.diffId };
      return documentsOf(config, CACHE_CONFIG, written);
    },
  };
}

/** The tag of the entry for `key`. */
function tagOf(key: string): string {
  return `plash-${key}`;
}

function parseCacheConfig(bytes: Uint8Array): CacheConfig {
  let value: Partial<CacheConfig>;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new PlashError("its config is not JSON");
  }
  if (typeof value?.key !== "string" || typeof value.parent !== "string") {
    throw new PlashError("its config has no key chain");
  }
  return { key: value.key, parent: value.parent, diff_id: checkDigest(value.diff_id, "diff_id") };
}
