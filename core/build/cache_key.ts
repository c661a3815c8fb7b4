/**
 * Cache keys of layers. A layer's key is the SHA-256 of a JSON array of a
 * version tag, its parent's key and its text (script and hints). JSON keeps
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

/** The key of a layer with `text` on the layer keyed `parentKey`. */
export function layerKey(parentKey: string, text: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(JSON.stringify([VERSION, parentKey, text])));
}
