/**
 * gzip and zstd undone synchronously, straight into the reader's buffer: an
 * archive file's decompression that holds a fixed window however large its
 * contents (a decompression bomb: 1 GiB of zeros in 1 MB of gzip).
 *
 * Every stream decompressor here (node:zlib's streams, `DecompressionStream`)
 * hands out a fresh buffer for each piece, and V8 frees those only when it
 * collects: reading 1 GiB through them peaked at 300-430 MB, most of it
 * pieces already read (bench/README.md, issue 26). Here the only buffers are
 * a 64 KiB input buffer and the caller's output buffer, used again and
 * again; nothing is allocated per piece.
 *
 * It calls node:zlib's engine (`_handle.writeSync`), the call node's own
 * `zlib.gunzipSync` is made of and the one way node:zlib writes into a
 * buffer of the caller's (checked in Deno 2.9: gzip, multi-member gzip and
 * zstd; a Deno without it fails in one line). It runs on the
 * reader's thread, which has nothing else to do while it waits for data, and
 * it is faster than the worker for what compresses well (1 GiB of zeros:
 * 1.0 s against 4.1 s).
 *
 * @example
 * ```ts
 * import { decompressingReader } from "./sync_decompress.ts";
 *
 * const tar = decompressingReader(Deno.openSync("rootfs.tar.gz"), "gzip");
 * const piece = new Uint8Array(1 << 20);
 * tar.readSync(piece); // the first MiB of the tar
 * tar.close();
 * ```
 *
 * @module
 */

import zlib from "node:zlib";
import { PlashError } from "../errors.ts";
import type { ByteSource } from "./file_chunks.ts";

/** The compressions read here. */
export type SyncCompression = "gzip" | "zstd";

/** The input read at a time: a compressed piece, whatever it expands to. */
const INPUT = 1 << 16;

/** node:zlib's engine of a decompressor stream, as node's own sync functions use it. */
interface Engine {
  writeSync(
    flush: number,
    input: Uint8Array,
    inputOffset: number,
    inputLength: number,
    output: Uint8Array,
    outputOffset: number,
    outputLength: number,
  ): void;
  onerror: (message: string, errno: number) => void;
}

/** The parts of a node:zlib decompressor stream that reach its engine. */
interface EngineStream {
  _handle?: Engine;
  /** After each write: the output space, then the input, left over. */
  _writeState?: Uint32Array;
  _defaultFlushFlag?: number;
  _finishFlushFlag?: number;
  close(): void;
}

/**
 * `source` decompressed from `compression`, read with `readSync` as a file
 * is; `head`, bytes already read from `source`, come first. A corrupt or
 * truncated stream fails the read with a one-line {@linkcode PlashError};
 * `close` closes `source` too.
 */
export function decompressingReader(
  source: ByteSource,
  compression: SyncCompression,
  head: Uint8Array = new Uint8Array(0),
): ByteSource {
  const stream =
    (compression === "gzip"
      ? zlib.createGunzip()
      : zlib.createZstdDecompress()) as unknown as EngineStream;
  const { _handle: engine, _writeState: state } = stream;
  const more = stream._defaultFlushFlag;
  const finish = stream._finishFlushFlag;
  if (!engine?.writeSync || !state || more === undefined || finish === undefined) {
    stream.close();
    throw new PlashError(`this Deno's node:zlib has no synchronous ${compression} engine`);
  }
  let failure: string | undefined;
  engine.onerror = (message) => failure = message;
  const input = new Uint8Array(Math.max(INPUT, head.length));
  input.set(head);
  let start = 0;
  let end = head.length;
  let sourceEnded = false;
  let done = false;
  return {
    readSync(buffer: Uint8Array): number | null {
      while (!done) {
        if (start === end && !sourceEnded) {
          const read = source.readSync(input);
          if (read === null) sourceEnded = true;
          else [start, end] = [0, read];
        }
        engine.writeSync(
          sourceEnded ? finish : more,
          input,
          start,
          end - start,
          buffer,
          0,
          buffer.length,
        );
        if (failure !== undefined) {
          done = true;
          const what = /unexpected end/i.test(failure) ? "truncated" : "corrupt";
          throw new PlashError(`${what} ${compression} data: ${failure}`);
        }
        const [outputLeft, inputLeft] = state;
        const consumed = end - start - inputLeft;
        start = end - inputLeft;
        const produced = buffer.length - outputLeft;
        if (produced > 0) return produced;
        // Nothing in, nothing out: the stream ended (what follows it is ignored, as gunzip does).
        if (consumed === 0 && (sourceEnded || start !== end)) done = true;
      }
      return null;
    },
    close() {
      done = true;
      stream.close();
      source.close();
    },
  };
}
