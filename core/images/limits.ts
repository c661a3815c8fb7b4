/**
 * How much of a document plash reads before it gives up: whatever a server
 * or an archive says, JSON is read into memory only up to these caps, and
 * a document declared larger is not asked for at all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DOCUMENT_LIMIT } from "./limits.ts";
 * import { readLimited } from "../net/http.ts";
 *
 * // The body of `fetch("http://127.0.0.1:5000/token")`, say:
 * const body = ReadableStream.from([new TextEncoder().encode('{"token":"t"}')]);
 * assert.equal((await readLimited(body, DOCUMENT_LIMIT, "token response")).length, 13);
 * ```
 *
 * @module
 */

/**
 * Manifests, indexes, token responses, LXC indexes: 4 MiB, the
 * distribution registry's own limit on a manifest.
 */
export const DOCUMENT_LIMIT = 4 << 20;

/** Image configs: their history grows with the layers, so twice a manifest's cap. */
export const CONFIG_LIMIT = 8 << 20;

/** Error bodies: only their first error's code and message are shown. */
export const ERROR_BODY_LIMIT = 64 << 10;
