/**
 * Image ids: integers handed out by `$PLASH_DATA/id_counter`, never twice.
 *
 * @module
 */

import { PlashError } from "../errors.ts";

/**
 * Reserves the next id. An exclusive lock on the counter serializes
 * concurrent plash processes. The counter only grows, so writing the new number
 * over the old one in place never leaves a shorter, stale tail.
 */
export function allocateId(data: string): number {
  const file = Deno.openSync(`${data}/id_counter`, { read: true, write: true });
  try {
    file.lockSync(true);
    const buffer = new Uint8Array(32);
    const length = file.readSync(buffer) ?? 0;
    const text = new TextDecoder().decode(buffer.subarray(0, length)).trim();
    const current = text === "" ? 0 : Number(text);
    if (!Number.isSafeInteger(current)) {
      throw new PlashError(`corrupt id counter ${data}/id_counter: ${JSON.stringify(text)}`);
    }
    const next = current + 1;
    file.seekSync(0, Deno.SeekMode.Start);
    const bytes = new TextEncoder().encode(String(next));
    if (file.writeSync(bytes) !== bytes.length) {
      throw new PlashError(`short write to ${data}/id_counter`);
    }
    return next;
  } finally {
    file.close();
  }
}

/** Parses an image id argument: a non-negative integer written in digits. */
export function parseImageId(text: string): number {
  if (!/^\d+$/.test(text)) throw new PlashError(`image id must be a number, got: ${text}`);
  return Number(text);
}
