/**
 * Undoing the compression of an archive, recognized by its first bytes:
 * gzip, zstd, xz, or none.
 *
 * The decompressors are imported only when an archive needs them (node:zlib
 * costs every command that loads it about 15 ms).
 *
 * gzip and zstd of a file (or stdin) are undone as the tar reader reads, into
 * its one buffer (`sync_decompress.ts`): memory stays a fixed window however
 * far an archive expands; the same for a download the tar reader reads alone
 * ({@linkcode decompressForReading}). A stream whose bytes are also hashed
 * (a registry's layer) goes through node:zlib in a worker (`codec_worker.ts`),
 * so that it runs beside the extraction.
 * gzip through gunzip rather than `DecompressionStream`: the latter fails on
 * multi-member gzip files (`cat a.gz b.gz`, bgzip), which gunzip and tar
 * accept.
 *
 * @module
 */

import { PlashError, reason, wrap } from "../errors.ts";
import {
  type AsyncByteSource,
  type ByteSource,
  fileChunks,
  prefixed,
  readFull,
} from "./file_chunks.ts";

/** The compressions plash reads. */
export type Compression = "gzip" | "zstd" | "xz" | "none";

const MAGIC: [Compression, number[]][] = [
  ["gzip", [0x1f, 0x8b]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
];
const MAGIC_LENGTH = 6;

/** The compression whose magic number `head` starts with. */
export function detectCompression(head: Uint8Array): Compression {
  const found = MAGIC.find(([, magic]) => magic.every((byte, i) => head[i] === byte));
  return found?.[0] ?? "none";
}

/**
 * `input` decompressed. A corrupt compressed stream errors with a one-line
 * {@linkcode PlashError} when it is read.
 */
export async function decompress(
  input: ReadableStream<Uint8Array>,
): Promise<ReadableStream<Uint8Array>> {
  const { head, stream } = await peek(input, MAGIC_LENGTH);
  return await decompressed(stream, detectCompression(head));
}

/**
 * The archive stream `input` (a download) decompressed for the tar reader:
 * gzip and zstd are undone as it reads, into its own buffer, as
 * {@linkcode decompressFile} does (only the compressed pieces are fresh
 * buffers); xz and a plain archive come as streams.
 *
 * @example
 * ```ts
 * import { decompressForReading } from "./decompress.ts";
 * import { extractTar } from "./extract.ts";
 *
 * const response = await fetch("https://example.org/rootfs.tar.gz");
 * await extractTar(await decompressForReading(response.body!), "/tmp/rootfs");
 * ```
 */
export async function decompressForReading(
  input: ReadableStream<Uint8Array>,
): Promise<ReadableStream<Uint8Array> | AsyncByteSource> {
  const { head, stream } = await peek(input, MAGIC_LENGTH);
  const compression = detectCompression(head);
  if (compression !== "gzip" && compression !== "zstd") {
    return await decompressed(stream, compression);
  }
  const { decompressingStreamReader } = await import("./sync_decompress.ts");
  return decompressingStreamReader(stream, compression);
}

/** `stream` decompressed from `compression`, as a stream. */
async function decompressed(
  stream: ReadableStream<Uint8Array>,
  compression: Compression,
): Promise<ReadableStream<Uint8Array>> {
  if (compression === "none") return stream;
  return relabelErrors(await decompressor(compression, stream), compression);
}

/**
 * The archive in `file` (an open file, a pipe, stdin), decompressed, read
 * with `readSync` into the reader's own buffer: a plain archive as it is,
 * gzip and zstd through `decompressingReader` (`sync_decompress.ts`), so that memory
 * stays a fixed window whatever the archive expands to. xz comes as a stream
 * of pieces (its decoder is a wasm stream).
 *
 * @example
 * ```ts
 * import { decompressFile } from "./decompress.ts";
 *
 * const tar = await decompressFile(Deno.openSync("rootfs.tar.zst"));
 * ```
 */
export async function decompressFile(
  file: ByteSource,
): Promise<ReadableStream<Uint8Array> | ByteSource> {
  let head: Uint8Array;
  try {
    head = new Uint8Array(MAGIC_LENGTH);
    head = head.subarray(0, readFull(file, head));
  } catch (error) {
    file.close();
    throw error;
  }
  // The head is handed on, not sought back over: a pipe (a FIFO, `<(zcat x)`, stdin) cannot.
  const compression = detectCompression(head);
  if (compression === "none") return prefixed(head, file);
  if (compression === "xz") return await decompress(fileChunks(prefixed(head, file)));
  const { decompressingReader } = await import("./sync_decompress.ts");
  try {
    return decompressingReader(file, compression, head);
  } catch (error) {
    file.close();
    throw error;
  }
}

async function decompressor(
  compression: Exclude<Compression, "none">,
  stream: ReadableStream<Uint8Array>,
): Promise<ReadableStream<Uint8Array>> {
  if (compression === "xz") {
    const { default: xz } = await import("xz-decompress");
    return new xz.XzReadableStream(stream);
  }
  const { decompressInWorker } = await import("./codec_worker.ts");
  return decompressInWorker(stream, compression);
}

/** Reads `input` until `length` bytes are seen (or it ends); returns them and the whole stream. */
async function peek(
  input: ReadableStream<Uint8Array>,
  length: number,
): Promise<{ head: Uint8Array; stream: ReadableStream<Uint8Array> }> {
  const reader = input.getReader();
  const chunks: Uint8Array[] = [];
  let seen = 0;
  while (seen < length) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    seen += value.length;
  }
  const head = new Uint8Array(Math.min(seen, length));
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= head.length) break;
    head.set(chunk.subarray(0, head.length - offset), offset);
    offset += chunk.length;
  }
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = chunks.shift();
      if (chunk) return controller.enqueue(chunk);
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { head, stream };
}

/** `stream`, whose errors say in one line that the data is corrupt. */
function relabelErrors(
  stream: ReadableStream<Uint8Array>,
  compression: Compression,
): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        // The input's own failure (a download that broke off) is not corrupt data.
        if (error instanceof PlashError) return controller.error(error);
        // xz-decompress reports xz-embedded's XZ_BUF_ERROR (8) for input that stops short.
        const truncated = compression === "xz" && reason(error).endsWith("error code 8");
        controller.error(wrap(error, `${truncated ? "truncated" : "corrupt"} ${compression} data`));
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
