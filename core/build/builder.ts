/**
 * Building: macros to an image id, each layer built once and then found in
 * the cache.
 *
 * A layer is cached in the map under `cache:<key>` (see cache_key.ts). Since
 * every key is known before anything runs, the build looks for its deepest
 * cached layer first, from the top down, and builds only what follows it: a
 * fully cached build costs one map lookup.
 *
 * @module
 */

import { lazyImport } from "../lazy_import.ts";
import { getMap, setMap } from "../store/map.ts";
import { baseKey, cacheMapKey, layerKey } from "./cache_key.ts";
import { type BuildPlan, evalContext, evaluate, planBuild } from "./evaluate.ts";
import { tokenize } from "./tokenize.ts";

/**
 * Builds the image that the macro words `words` describe (command-line
 * arguments, or a Plashfile's lines) and returns its id.
 *
 * @example
 * ```ts
 * const id = await build(["--from", "1", "--run", "touch /hello"]);
 * ```
 */
export async function build(words: string[]): Promise<number> {
  const context = evalContext();
  const plan = planBuild(await evaluate(tokenize(words), context));
  return await buildPlan(context.store(), plan);
}

/** Builds `plan` in the store at `data`; returns the id of its last layer. */
export async function buildPlan(data: string, plan: BuildPlan): Promise<number> {
  const keys: string[] = [];
  let key = baseKey(plan.base);
  for (const layer of plan.layers) keys.push(key = await layerKey(key, layer.text));
  let built = keys.length;
  let id: number | undefined;
  while (built > 0 && (id = getMap(data, cacheMapKey(keys[built - 1]))) === undefined) built--;
  id ??= plan.base;
  if (built === keys.length) return id;
  const { buildLayer } = await lazyImport<typeof import("./build_layer.ts")>(
    import.meta.url,
    "./build_layer.ts",
  );
  for (let i = built; i < plan.layers.length; i++) {
    id = await buildLayer(data, id, plan.layers[i], `build: layer ${i + 1}`);
    setMap(data, cacheMapKey(keys[i]), id);
  }
  return id;
}
