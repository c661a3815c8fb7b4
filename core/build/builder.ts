/**
 * Building: macros to an image id, each layer built once and then found in
 * the cache.
 *
 * A layer is cached in the map under `cache:<key>` (see cache_key.ts). Since
 * every key is known before anything runs, the build looks for its deepest
 * cached layer first, from the top down, and builds only what follows it: a
 * fully cached build costs one map lookup. A layer is built holding the
 * store's lock on its key, so that concurrent builds make it once.
 *
 * With `--cache-from` or `--cache-to`, layers are also shared through
 * registries (see `registry_cache.ts`).
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { importedFromHost } from "../runtime/environment.ts";
import { mergeConfig } from "../store/image_config.ts";
import { KEYS } from "../store/keys.ts";
import type { Store } from "../store/store.ts";
import { baseKey, layerKey } from "./cache_key.ts";
import { type BuildPlan, evalContext, evaluate, planBuild } from "./evaluate.ts";
import { tokenize } from "./tokenize.ts";

/**
 * Builds in `store` the image that the macro words `words` describe
 * (command-line arguments, or a Plashfile's lines) and returns its id.
 *
 * @example
 * ```ts
 * import { build } from "./builder.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const layer = store.makeTmpDir();
 * Deno.mkdirSync(`${layer}/bin`);
 * Deno.copyFileSync("/bin/busybox", `${layer}/bin/sh`); // a static shell
 * const base = store.addLayer(0, layer);
 * const id = await build(store, ["--from-id", String(base), "--run", "touch /hello"]);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export async function build(
  store: Store,
  words: string[],
  options: BuildOptions = {},
): Promise<number> {
  const context = evalContext(() => store, options.context);
  const plan = planBuild(await evaluate(tokenize(words), context));
  return await buildPlan(store, plan, options);
}

/**
 * How a build shows itself.
 *
 * @example
 * ```ts
 * import type { BuildOptions } from "./builder.ts";
 *
 * const options: BuildOptions = { quiet: true, context: "." }; // `plash build -q`, from here
 * ```
 */
export interface BuildOptions {
  /** No `--> CMD` traces of the steps (`plash build -q`); their own output stays. */
  quiet?: boolean;
  /** The build context: the directory its steps see and its macros read from; the cwd by default. */
  context?: string;
}

/**
 * Builds `plan` in `store`; returns the id of its last layer.
 *
 * @example
 * ```ts
 * import { buildPlan } from "./builder.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const layer = store.makeTmpDir();
 * Deno.mkdirSync(`${layer}/bin`);
 * Deno.copyFileSync("/bin/busybox", `${layer}/bin/sh`);
 * const base = store.addLayer(0, layer);
 * const plan = { base, layers: [{ text: "touch /x", runs: true, config: {} }] };
 * await buildPlan(store, plan);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export async function buildPlan(
  store: Store,
  plan: BuildPlan,
  options: BuildOptions = {},
): Promise<number> {
  const keys: string[] = [];
  let key = baseKey(plan.base);
  // What a layer's build sees of the host beyond TERM, DISPLAY, HOME and
  // PLASH_DATA (the variables its image passes through) keys it too.
  const host = Deno.env.toObject();
  let config = plan.layers.length ? store.config(plan.base) : {};
  for (const layer of plan.layers) {
    keys.push(key = await layerKey(key, layer.text, importedFromHost(config, host)));
    config = mergeConfig(config, layer.config);
  }
  let built = keys.length;
  let id: number | undefined;
  while (built > 0 && (id = store.getMap(KEYS.cache(keys[built - 1]))) === undefined) built--;
  id ??= plan.base;
  if (plan.cacheFrom || plan.cacheTo) {
    // As the caller, rootless too: registries' layers are imported as the imports are
    // (apply_deferred.ts), and read as root of plash's user namespace sees them; a layer built
    // here enters a user namespace of its own (create_image.ts).
    // Loaded only here: a build without registries loads no registry code.
    const { buildWithRegistries } = await lazyImport("registryCache");
    return await buildWithRegistries(store, plan, keys, built, id, { context: options.context });
  }
  if (built === keys.length) return id;
  const { buildLayer } = await lazyImport("buildLayer");
  // Loaded only here: its libc binding costs a cached build time it needs for nothing.
  const { mountlessReason } = await lazyImport("hostSupport");
  // Without mounts, the steps share one copy of the image (see mountless.ts).
  using reuse = mountlessReason() === undefined ? undefined : new (
    await lazyImport("mountless")
  ).CopyReuse();
  for (let i = built; i < plan.layers.length; i++) {
    const key = KEYS.cache(keys[i]);
    const parent = id;
    // Concurrent builds of one layer: the first builds it, the others wait
    // for the lock, then find its image and build on that.
    id = await store.withLock(key, async () => {
      const found = store.getMap(key);
      if (found !== undefined) return found;
      let made: number;
      try {
        made = await buildLayer(store, parent, plan.layers[i], `build: layer ${i + 1}`, {
          ...options,
          reuse,
        });
      } catch (error) {
        // A failing layer ends the build with exit status 1, whatever the
        // script's was, as the original plash did (scripts test for 1).
        if (!(error instanceof PlashError)) throw error;
        throw new PlashError(error.message, { exitCode: 1, cause: error });
      }
      store.setMap(key, made);
      return made;
    });
  }
  return id;
}
