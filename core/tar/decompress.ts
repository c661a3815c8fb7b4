/**
 * Undoing the compression of an archive, recognized by its first bytes:
 * gzip, zstd, xz, or none.
 *
 * The decompressors are imported only when an archive needs them (node:zlib
 * costs every command that loads it about 15 ms).
 *
 * Every compression of a file (or stdin) or a download is undone as the tar
 * reader reads, into its one buffer (gzip and zstd in `sync_decompress.ts`,
 * xz in `xz_reader.ts`): memory stays a fixed window however far an archive
 * expands.
 * gzip through gunzip rather than `DecompressionStream`: the latter fails on
 * multi-member gzip files (`cat a.gz b.gz`, bgzip), which gunzip and tar
 * accept.
 *
 * @module
 */

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
 * The archive stream `input` (a download) decompressed for the tar reader:
 * gzip and zstd are undone as it reads, into its own buffer, as
 * {@linkcode decompressFile} does (only the compressed pieces are fresh
 * buffers); a plain archive comes as the stream it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decompressForReading } from "./decompress.ts";
 * import { extractTar } from "./extract.ts";
 * import { compress } from "./compress.ts";
 * import { packTree } from "./pack.ts";
 * import { walkMerged } from "../tree/merged_tree.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/tree`);
 * Deno.writeTextFileSync(`${dir}/tree/hello`, "hi\n");
 * // A download's body, say `(await fetch("https://example.org/rootfs.tar.gz")).body!`:
 * const body = compress(packTree(walkMerged([`${dir}/tree`])), "gzip");
 * Deno.mkdirSync(`${dir}/rootfs`);
 * await extractTar(await decompressForReading(body), `${dir}/rootfs`);
 * assert.equal(Deno.readTextFileSync(`${dir}/rootfs/hello`), "hi\n");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function decompressForReading(
  input: ReadableStream<Uint8Array>,
): Promise<ReadableStream<Uint8Array> | AsyncByteSource> {
  const { head, stream } = await peek(input, MAGIC_LENGTH);
  const compression = detectCompression(head);
  if (compression === "none") return stream;
  if (compression === "xz") {
    const { xzReader } = await import("./xz_reader.ts");
    return await xzReader(stream);
  }
  const { decompressingStreamReader } = await import("./sync_decompress.ts");
  return decompressingStreamReader(stream, compression);
}

/**
 * The archive in `file` (an open file, a pipe, stdin), decompressed, read
 * with `readSync` into the reader's own buffer: a plain archive as it is,
 * gzip and zstd through `decompressingReader` (`sync_decompress.ts`), so that memory
 * stays a fixed window whatever the archive expands to; xz through
 * `xzReader` (`xz_reader.ts`), awaited, its input read in pieces.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decompressFile } from "./decompress.ts";
 * import { compress } from "./compress.ts";
 * import { extractTar } from "./extract.ts";
 * import { packTree } from "./pack.ts";
 * import { walkMerged } from "../tree/merged_tree.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/tree`);
 * Deno.writeTextFileSync(`${dir}/tree/hello`, "hi\n");
 * const zst = compress(packTree(walkMerged([`${dir}/tree`])), "zstd");
 * await zst.pipeTo((await Deno.create(`${dir}/rootfs.tar.zst`)).writable);
 * const tar = await decompressFile(Deno.openSync(`${dir}/rootfs.tar.zst`));
 * Deno.mkdirSync(`${dir}/rootfs`);
 * await extractTar(tar, `${dir}/rootfs`);
 * assert.equal(Deno.readTextFileSync(`${dir}/rootfs/hello`), "hi\n");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function decompressFile(
  file: ByteSource,
): Promise<ByteSource | AsyncByteSource> {
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
  if (compression === "xz") {
    const { xzReader } = await import("./xz_reader.ts");
    return await xzReader(fileChunks(prefixed(head, file)));
  }
  const { decompressingReader } = await import("./sync_decompress.ts");
  try {
    return decompressingReader(file, compression, head);
  } catch (error) {
    file.close();
    throw error;
  }
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
