/**
 * Image ids: integers handed out by a store's `id_counter`, never twice.
 *
 * @module
 */

import { PlashError } from "../errors.ts";

/**
 * Reserves the next id of the counter file `counter`. An exclusive lock on
 * the file serializes concurrent plash processes. The counter only grows, so
 * writing the new number over the old one in place never leaves a shorter,
 * stale tail.
 */
export function allocateId(counter: string): number {
  const file = Deno.openSync(counter, { read: true, write: true });
  try {
    file.lockSync(true);
    const buffer = new Uint8Array(32);
    const length = file.readSync(buffer) ?? 0;
    const text = new TextDecoder().decode(buffer.subarray(0, length)).trim();
    const current = text === "" ? 0 : Number(text);
    if (!Number.isSafeInteger(current)) {
      throw new PlashError(`corrupt id counter ${counter}: ${JSON.stringify(text)}`);
    }
    const next = current + 1;
    file.seekSync(0, Deno.SeekMode.Start);
    const bytes = new TextEncoder().encode(String(next));
    if (file.writeSync(bytes) !== bytes.length) {
      throw new PlashError(`short write to ${counter}`);
    }
    return next;
  } finally {
    file.close();
  }
}

/**
 * Parses an image id argument: a non-negative integer written in digits.
 *
 * @example
 * ```ts
 * import { parseImageId } from "./ids.ts";
 *
 * parseImageId("7"); // 7
 * parseImageId("x"); // throws: image id must be a number, got: x
 * ```
 */
export function parseImageId(text: string): number {
  if (!/^\d+$/.test(text)) throw new PlashError(`image id must be a number, got: ${text}`);
  return Number(text);
}
