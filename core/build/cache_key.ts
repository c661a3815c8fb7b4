/**
 * Cache keys of layers. A layer's key is the SHA-256 of a JSON array of a
 * version tag, its parent's key, its text (script and hints) and the host
 * variables that reach its build, if any. JSON keeps
 * the parts apart, so no two different builds share a key, and a key depends
 * on every layer below it, so the key of a build's last layer is known
 * before anything runs: a fully cached build is a single map lookup.
 *
 * @module
 */

import { sha256Hex } from "../sha256.ts";

/** Bumped when what a layer's text means changes (the shell preamble, say). */
const VERSION = "plash-layer-1";

/** The key a build's first layer grows from: the base image. */
export function baseKey(id: number): string {
  return `image:${id}`;
}

/**
 * The key of a layer with `text` on the layer keyed `parentKey`, built with
 * the host variables `env` reaching its build (those its image passes
 * through: see `importedFromHost`); a layer that gets none keeps the key it
 * always had.
 *
 * @example
 * ```ts
 * import { baseKey, layerKey } from "./cache_key.ts";
 *
 * await layerKey(baseKey(1), "touch /x\n"); // 64 hex digits
 * await layerKey(baseKey(1), "touch /x\n", { LANG: "C" }); // another key
 * ```
 */
export function layerKey(
  parentKey: string,
  text: string,
  env: Record<string, string> = {},
): Promise<string> {
  const parts = Object.keys(env).length
    ? [VERSION, parentKey, text, env]
    : [VERSION, parentKey, text];
  return sha256Hex(new TextEncoder().encode(JSON.stringify(parts)));
}
