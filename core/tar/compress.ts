/**
 * Compressing an archive as it streams: gzip, zstd or none, each
 * deterministic (the same bytes in give the same bytes out), so that an
 * exported layer has the same digest every time.
 *
 * The input is cut into blocks of {@linkcode BLOCK} bytes first: a
 * compressor that flushes at every chunk it is given (the Web
 * `CompressionStream` does) would otherwise make output that depends on how
 * the input happened to be read. gzip is `CompressionStream`: its header
 * holds no time and no file name (mtime 0, OS "unknown"), and it was the
 * fastest here (172 MB of Debian in 2.3 s against node:zlib's 3.1 s and
 * gzip -6's 6.5 s), run on every core in blocks (`gzip_parallel.ts`). zstd is
 * node:zlib's (level 3), in a worker of its own (`codec_worker.ts`):
 * both beside the thread that packs the tar.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compress } from "./compress.ts";
 *
 * const gzip = compress(ReadableStream.from([new Uint8Array(10240)]), "gzip");
 * const bytes = new Uint8Array(await new Response(gzip).arrayBuffer());
 * assert.deepEqual([...bytes.subarray(0, 2)], [0x1f, 0x8b]); // gzip's magic
 * ```
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { compressInWorker } from "./codec_worker.ts";
import { gzipInBlocks } from "./gzip_parallel.ts";

/** The block size compressors are fed: fixed, so that their output is too. */
export const BLOCK = 1 << 20;

/**
 * The compressions plash writes.
 *
 * @example
 * ```ts
 * import type { OutputCompression } from "./compress.ts";
 *
 * const compression: OutputCompression = "zstd"; // `--compress zstd`
 * ```
 */
export type OutputCompression = "gzip" | "zstd" | "none";

/** Every {@linkcode OutputCompression}, as `--compress` takes them. */
export const OUTPUT_COMPRESSIONS: readonly OutputCompression[] = ["gzip", "zstd", "none"];

/**
 * `text` as a compression (`--compress`'s value), else a usage error (exit
 * 2) listing the choices.
 *
 * @example
 * ```ts
 * import { parseCompression } from "./compress.ts";
 *
 * parseCompression("zstd"); // "zstd"
 * parseCompression(undefined, "none"); // "none"
 * ```
 */
export function parseCompression(
  text: string | undefined,
  fallback: OutputCompression = "gzip",
): OutputCompression {
  if (text === undefined) return fallback;
  const found = OUTPUT_COMPRESSIONS.find((each) => each === text);
  if (found) return found;
  throw new PlashError(
    `--compress: ${JSON.stringify(text)} is not one of ${OUTPUT_COMPRESSIONS.join(", ")}`,
  );
}

/** `input` compressed with `compression`. */
export function compress(
  input: ReadableStream<Uint8Array>,
  compression: OutputCompression,
): ReadableStream<Uint8Array> {
  if (compression === "none") return input;
  const blocks = inBlocks(input, BLOCK);
  if (compression === "zstd") return compressInWorker(blocks, "zstd");
  return later(async () => await gzipInBlocks(blocks) ?? compressInWorker(blocks, "gzip"));
}

/** The stream `open` makes, made when it is first read. */
function later(open: () => Promise<ReadableStream<Uint8Array>>): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      reader ??= (await open()).getReader();
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/**
 * `input` as blocks of exactly `size` bytes (the last one shorter), each
 * with a buffer of its own.
 *
 * @example
 * ```ts
 * import { inBlocks } from "./compress.ts";
 *
 * const blocks = inBlocks(ReadableStream.from([new Uint8Array(3), new Uint8Array(3)]), 4);
 * // two blocks: 4 bytes, then 2
 * ```
 */
export function inBlocks(
  input: ReadableStream<Uint8Array>,
  size: number,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  let block = new Uint8Array(size);
  let filled = 0;
  return input.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array<ArrayBuffer>>({
      transform(chunk, controller) {
        for (let offset = 0; offset < chunk.length;) {
          const taken = Math.min(size - filled, chunk.length - offset);
          block.set(chunk.subarray(offset, offset + taken), filled);
          filled += taken;
          offset += taken;
          if (filled === size) {
            controller.enqueue(block);
            block = new Uint8Array(size);
            filled = 0;
          }
        }
      },
      flush(controller) {
        if (filled > 0) controller.enqueue(block.slice(0, filled));
      },
    }),
  );
}
