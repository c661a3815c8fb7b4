/**
 * Checking a blob's digest and size while it streams.
 *
 * The blob is read by a pump of its own, which hashes every byte and passes
 * it on to the consumer (the decompressor and the tar extractor). The
 * consumer may stop early: a tar archive ends before the compressor's
 * trailer and the padding after it, and a failing extraction stops at once.
 * The pump then keeps reading to the blob's end anyway, so that the digest
 * covers every byte, and so that a blob that is corrupt is reported as such
 * rather than as the tar error its corruption caused.
 *
 * @module
 */

import { PlashError, reason } from "../errors.ts";
import { createSha256 } from "../sha256.ts";

/** What a blob must be; each part that is known is checked. */
export interface Expected {
  digest?: string;
  size?: number;
  /** At most this many bytes, when the size is not known. */
  limit?: number;
}

/** A blob being read; see {@linkcode checkBlob}. */
export interface CheckedBlob {
  /** The blob's bytes; it fails when the blob turns out wrong. */
  stream: ReadableStream<Uint8Array>;
  /**
   * Resolves with the blob's digest (`sha256:<hex>`) once the whole blob was
   * read and matched `expected`; rejects with the reason otherwise. Settles
   * only after {@linkcode release} or after the stream was read to its end
   * (or cancelled).
   */
  verified: Promise<string>;
  /** Says the consumer is done: the rest of the blob is read for the check alone. */
  release(): void;
}

/**
 * Wraps `source` (the blob's bytes, as stored or sent) so that its digest and
 * size are checked against `expected` as it streams; `signal` stops it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkBlob } from "./checked_blob.ts";
 * import { decompressForReading } from "../tar/decompress.ts";
 * import { extractTar } from "../tar/extract.ts";
 *
 * const tar = new Uint8Array(1024); // an empty tar, as a registry would send a layer
 * const digest = `sha256:${new Uint8Array(await crypto.subtle.digest("SHA-256", tar)).toHex()}`;
 * // The body of `fetch("http://127.0.0.1:5000/v2/app/blobs/" + digest)`, say:
 * const blob = checkBlob(ReadableStream.from([tar]), { digest, size: 1024 });
 * const dir = Deno.makeTempDirSync();
 * await extractTar(await decompressForReading(blob.stream), dir).finally(blob.release);
 * assert.equal(await blob.verified, digest); // rejects on a digest or size mismatch
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function checkBlob(
  source: ReadableStream<Uint8Array>,
  expected: Expected,
  signal?: AbortSignal,
): CheckedBlob {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  let released = false;
  let wake = () => {};
  const releasing = new Promise<void>((resolve) => wake = resolve);
  const pass = async (chunk: Uint8Array) => {
    try {
      await Promise.race([writer.ready, releasing]);
      if (!released) writer.write(chunk).catch(() => {});
    } catch {
      released = true; // the consumer cancelled: it wants no more
    }
  };
  const verified = (async () => {
    const reader = source.getReader();
    const hash = await createSha256();
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        // A file being read does not heed the signal as a download does.
        signal?.throwIfAborted();
        if (done) break;
        size += value.length;
        if (expected.size !== undefined && size > expected.size) {
          throw new PlashError(`blob is larger than the ${expected.size} bytes announced`);
        }
        if (expected.limit !== undefined && size > expected.limit) {
          throw new PlashError(`blob is larger than ${expected.limit} bytes`);
        }
        hash.update(value);
        if (!released) await pass(value);
      }
      if (expected.size !== undefined && size !== expected.size) {
        throw new PlashError(`truncated blob: ${size} of ${expected.size} bytes`);
      }
      const digest = `sha256:${hash.hex()}`;
      if (expected.digest !== undefined && digest !== expected.digest) {
        throw new PlashError(`digest mismatch: got ${digest}, expected ${expected.digest}`);
      }
      if (!released) await writer.close().catch(() => {});
      return digest;
    } catch (caught) {
      const error = caught instanceof PlashError
        ? caught
        : new PlashError(`reading the blob failed: ${reason(caught)}`, { cause: caught });
      writer.abort(error).catch(() => {});
      reader.cancel().catch(() => {});
      throw error;
    }
  })();
  // Settled by whoever awaits it; never an unhandled rejection before that.
  verified.catch(() => {});
  return {
    stream: readable,
    verified,
    release: () => {
      released = true;
      wake();
    },
  };
}

/**
 * Refuses a blob whose declared `size` is above `limit`, before a byte of it
 * is asked for or read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseOversized } from "./checked_blob.ts";
 *
 * assert.throws(
 *   () => refuseOversized({ size: 10_000_000_000_000, limit: 8 << 20 }),
 *   /declared as 10000000000000 bytes, more than the 8388608 plash reads/,
 * );
 * ```
 */
export function refuseOversized(expected: Expected): void {
  const { size, limit } = expected;
  if (size !== undefined && limit !== undefined && size > limit) {
    throw new PlashError(`declared as ${size} bytes, more than the ${limit} plash reads`);
  }
}

/**
 * The whole of a small blob (a manifest, a config), checked against
 * `expected`; give a `size` or a `limit`, the bytes are held in memory. A
 * declared size above the limit is refused before reading.
 */
export async function readBlob(
  source: ReadableStream<Uint8Array>,
  expected: Expected,
  signal?: AbortSignal,
): Promise<Uint8Array<ArrayBuffer>> {
  try {
    refuseOversized(expected);
  } catch (error) {
    await source.cancel().catch(() => {});
    throw error;
  }
  const blob = checkBlob(source, expected, signal);
  const reading = new Response(blob.stream).arrayBuffer();
  reading.catch(() => {}); // the check's own error is the one to report
  await blob.verified;
  return new Uint8Array(await reading);
}
