/**
 * A layer's uncompressed tar hashed as the tar reader reads it: its diff_id
 * costs no copy and no queue of its own, so memory stays the reader's one
 * buffer however far the layer expands (issue 26: a separate pump hashing
 * beside a worker's decompression grew with the size).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashedTar } from "./hashed_tar.ts";
 * import { decompressForReading } from "../tar/decompress.ts";
 * import { extractTar } from "../tar/extract.ts";
 * import { compress } from "../tar/compress.ts";
 *
 * const bytes = new Uint8Array(1024); // an empty tar, gzipped as a layer.tar.gz is
 * const gzip = compress(ReadableStream.from([bytes]), "gzip");
 * const tar = await hashedTar(await decompressForReading(gzip));
 * const dir = Deno.makeTempDirSync();
 * await extractTar(tar.source, dir).catch(() => {});
 * const whole = `sha256:${new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)).toHex()}`;
 * assert.equal(await tar.digest(), whole); // of the whole tar
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { createSha256 } from "../sha256.ts";
import type { AsyncByteSource } from "../tar/file_chunks.ts";

/** See {@linkcode hashedTar}. */
export interface HashedTar {
  /** The tar for the reader; its `close` leaves the rest to {@linkcode digest}. */
  source: AsyncByteSource;
  /**
   * Reads what the reader left (past the end blocks, or all after a failed
   * extraction), then closes the input: `sha256:<hex>` of every byte. Rejects
   * with the input's failure (corrupt data, a broken download).
   */
  digest(): Promise<string>;
}

/** What a scratch read of the rest takes at a time. */
const REST = 1 << 16;

/** `input` (a decompressed tar), hashed as it is read; see {@linkcode HashedTar}. */
export async function hashedTar(
  input: ReadableStream<Uint8Array> | AsyncByteSource,
): Promise<HashedTar> {
  const tar = input instanceof ReadableStream ? streamSource(input) : input;
  const hash = await createSha256();
  // A decompressor that failed once may say "end" when asked again: its failure is kept.
  let failure: { error: unknown } | undefined;
  const read = async (buffer: Uint8Array) => {
    if (failure) throw failure.error;
    try {
      const length = await tar.read(buffer);
      if (length !== null) hash.update(buffer.subarray(0, length));
      return length;
    } catch (error) {
      failure = { error };
      throw error;
    }
  };
  return {
    source: { read, close: () => {} },
    async digest() {
      try {
        const scratch = new Uint8Array(REST);
        while (await read(scratch) !== null);
        return `sha256:${hash.hex()}`;
      } finally {
        tar.close();
      }
    },
  };
}

/** `stream` read into the caller's buffer, piece by piece. */
function streamSource(stream: ReadableStream<Uint8Array>): AsyncByteSource {
  const reader = stream.getReader();
  let piece: Uint8Array = new Uint8Array(0);
  return {
    async read(buffer: Uint8Array): Promise<number | null> {
      while (piece.length === 0) {
        const { done, value } = await reader.read();
        if (done) return null;
        piece = value;
      }
      const length = Math.min(piece.length, buffer.length);
      buffer.set(piece.subarray(0, length));
      piece = piece.subarray(length);
      return length;
    },
    close: () => void reader.cancel().catch(() => {}),
  };
}
