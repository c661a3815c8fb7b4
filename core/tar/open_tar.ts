/**
 * Opening a tar archive, compressed or not, from a file, stdin or a stream.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { decompressFile, decompressForReading } from "./decompress.ts";
import type { AsyncByteSource, ByteSource } from "./file_chunks.ts";

/**
 * The tar archive `source` (a file path, "-" for stdin, or a stream; plain,
 * gzip, zstd or xz), decompressed: a file or stdin is read as a
 * {@linkcode ByteSource} (see {@linkcode decompressFile}).
 *
 * @example
 * ```ts
 * import { openTar } from "./open_tar.ts";
 * import { extractTar } from "./extract.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * await extractTar(await openTar(ReadableStream.from([new Uint8Array(1024)])), dir); // an empty tar
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function openTar(
  source: string | ReadableStream<Uint8Array>,
): Promise<ReadableStream<Uint8Array> | ByteSource | AsyncByteSource> {
  if (typeof source !== "string") return await decompressForReading(source);
  if (source === "-") return await decompressFile(Deno.stdin);
  try {
    return await decompressFile(Deno.openSync(source));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new PlashError("no such file");
    throw error;
  }
}
