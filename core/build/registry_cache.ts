/**
 * A build that shares its layers through registries (`--cache-from`,
 * `--cache-to`), as BuildKit's registry cache does: a layer missing here is
 * looked up there by its key before it is built, and each layer of the
 * build is put there (unless it is there already), right after it is made.
 *
 * Local cache keys start from the base image's id, which means nothing on
 * another machine. Registry keys grow the same way (`cache_key.ts`) from a
 * key of the base that does: what it was imported as (`docker:<manifest
 * digest>`, `tar:<sha256 of the archive>`), else the digest of its content
 * (each layer's tar as an export packs it, and its config), noted on the
 * image once computed.
 *
 * A cache that fails (unreachable, refusing, sending something wrong) is
 * said in one warning line and left alone for the rest of the build, which
 * goes on locally; an interrupt (Ctrl-C) still ends the build.
 *
 * @module
 */

import { PlashError, reason } from "../errors.ts";
import { interruptible } from "../images/interrupt.ts";
import { needsPrivilege } from "../privilege.ts";
import { readingAsImageRoot } from "../runtime/image_root_reader.ts";
import { LayerCache } from "../images/registry/layer_cache.ts";
import { sha256Hex, sha256Stream } from "../sha256.ts";
import { keyKind, KEYS } from "../store/keys.ts";
import { imageNote, setImageNote } from "../store/notes.ts";
import type { Store } from "../store/store.ts";
import { packLayer } from "../tar/oci_layer.ts";
import { buildLayer } from "./build_layer.ts";
import { layerKey } from "./cache_key.ts";
import type { BuildPlan } from "./evaluate.ts";

/** Bumped when what a registry key covers changes. */
const VERSION = "plash-registry-1";

/**
 * Builds `plan` in `store` whose layers have the local cache keys `keys`
 * (see `builder.ts`), `built` of them found here already, ending at image
 * `id`; returns the id of the last layer.
 */
export async function buildWithRegistries(
  store: Store,
  plan: BuildPlan,
  keys: string[],
  built: number,
  id: number,
  options: { context?: string } = {},
): Promise<number> {
  const open = (names: string[] | undefined) => (names ?? []).map((name) => new Cache(store, name));
  const from = open(plan.cacheFrom);
  const to = open(plan.cacheTo);
  const remote = await registryKeys(store, plan);
  // Layers built before (here, or by another build) go too, when a cache lacks them.
  const before = built === 0 ? [] : store.chain(id).slice(-built);
  for (const [i, layer] of before.entries()) await putLayer(to, remote, i, layer);
  for (let i = built; i < plan.layers.length; i++) {
    const key = KEYS.cache(keys[i]);
    const parent = id;
    const layer = plan.layers[i];
    id = await store.withLock(key, async () => {
      const found = store.getMap(key);
      if (found !== undefined) return found;
      let made: number | undefined;
      for (const cache of from) {
        made ??= await cache.use((layers, signal) =>
          layers.pull(remote[i], parent, layer.config, signal)
        );
      }
      made ??= await buildLayer(store, parent, layer, `build: layer ${i + 1}`, options);
      store.setMap(key, made);
      return made;
    });
    await putLayer(to, remote, i, id);
  }
  return id;
}

/** Puts layer `i` of the build (image `id`) in every cache of `to`. */
async function putLayer(to: Cache[], remote: RegistryKeys, i: number, id: number): Promise<void> {
  const parent = i === 0 ? remote.base : remote[i - 1];
  for (const cache of to) {
    await cache.use((layers, signal) => layers.push(remote[i], parent, id, signal));
  }
}

/**
 * A cache registry of a build (of macros, or of a Dockerfile), which stops
 * being asked after its first failure.
 */
export class Cache {
  readonly #store: Store;
  readonly #layers: LayerCache;
  #failed = false;

  constructor(store: Store, name: string) {
    this.#store = store;
    this.#layers = new LayerCache(store, name);
  }

  /**
   * What `work` gives, Ctrl-C stopping it; undefined (and one warning line,
   * the first time) when the cache fails or failed before.
   */
  async use<T>(
    work: (layers: LayerCache, signal: AbortSignal) => Promise<T>,
  ): Promise<T | undefined> {
    if (this.#failed) return undefined;
    const name = this.#layers.name;
    try {
      return await interruptible(
        this.#store,
        `build: cache ${name}`,
        (signal) => work(this.#layers, signal),
      );
    } catch (error) {
      if (error instanceof PlashError && error.exitCode > 128) throw error; // interrupted
      // A layer closed to a caller without root: the build goes on as root of the namespace.
      if (needsPrivilege(error)) throw error;
      this.#failed = true;
      console.error(`plash warning: cache ${name}: ${reason(error)}; building without it`);
      return undefined;
    }
  }
}

/** Registry keys of a plan's layers, and of its base. */
type RegistryKeys = string[] & { base: string };

/** The registry keys of `plan`'s layers: see the module documentation. */
async function registryKeys(store: Store, plan: BuildPlan): Promise<RegistryKeys> {
  const base = await portableKey(store, plan.base);
  const keys = [] as unknown as RegistryKeys;
  keys.base = base;
  let key = base;
  for (const layer of plan.layers) keys.push(key = await layerKey(key, layer.text));
  return keys;
}

/** The key kinds whose key says what an image holds, wherever it was imported. */
const CONTENT_KINDS = new Set(["docker-manifest", "tar"]);

/**
 * A key for image `id` that means the same on any machine: see the module
 * documentation.
 */
export async function portableKey(store: Store, id: number): Promise<string> {
  if (id === 0) return `${VERSION}:empty`;
  const named = store.mapEntries()
    .filter((entry) => entry.id === id && CONTENT_KINDS.has(keyKind(entry.key).name))
    .map((entry) => entry.key)
    .sort();
  if (named.length > 0) return `${VERSION}:${named[0]}`;
  const diffIds: string[] = [];
  // Packed with the image's owners, as root or not: the key must be the same on every machine.
  await readingAsImageRoot(store.layersOf(store.chain(id)), async () => {
    for (const layer of store.chain(id).slice(1)) diffIds.push(await layerDiffId(store, layer));
  });
  const { created: _, ...config } = store.config(id);
  const text = new TextEncoder().encode(JSON.stringify([VERSION, diffIds, config]));
  return `${VERSION}:content:${await sha256Hex(text)}`;
}

/** The sha256 of layer image `id`'s layer as an OCI layer tar, noted on it once computed. */
async function layerDiffId(store: Store, id: number): Promise<string> {
  const noted = imageNote(store, id, "diff-id");
  if (typeof noted === "string") return noted;
  const diffId = `sha256:${await sha256Stream(packLayer(store.layer(id)))}`;
  setImageNote(store, id, "diff-id", diffId);
  return diffId;
}
