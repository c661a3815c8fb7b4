/**
 * gzip and zstd undone synchronously, straight into the reader's buffer: an
 * archive's decompression that holds a fixed window however large its
 * contents (a decompression bomb: 1 GiB of zeros in 1 MB of gzip), from a
 * file or stdin ({@linkcode decompressingReader}) or from a download
 * ({@linkcode decompressingStreamReader}, whose compressed pieces only are
 * fresh buffers).
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
 * zstd; a Deno without it fails in one line). It runs on the reader's thread,
 * which has nothing else to do while it waits for data, and it is faster
 * than the worker for what compresses well (1 GiB of zeros: 1.0 s against
 * 4.1 s).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decompressingReader } from "./sync_decompress.ts";
 * import { compress } from "./compress.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const gzip = compress(ReadableStream.from([new TextEncoder().encode("hi\n")]), "gzip");
 * await gzip.pipeTo((await Deno.create(`${dir}/hi.gz`)).writable);
 * const tar = decompressingReader(Deno.openSync(`${dir}/hi.gz`), "gzip");
 * const piece = new Uint8Array(1 << 20);
 * assert.equal(tar.readSync(piece), 3); // up to the first MiB
 * tar.close();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import zlib from "node:zlib";
import { PlashError } from "../errors.ts";
import type { AsyncByteSource, ByteSource } from "./file_chunks.ts";

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
  const inflater = new Inflater(compression);
  const input = new Uint8Array(INPUT);
  if (head.length > 0) inflater.feed(head);
  return {
    readSync(buffer: Uint8Array): number | null {
      for (;;) {
        const produced = inflater.inflate(buffer);
        if (produced !== 0) return produced;
        const read = source.readSync(input);
        if (read === null) inflater.end();
        else inflater.feed(input.subarray(0, read));
      }
    },
    close() {
      inflater.close();
      source.close();
    },
  };
}

/**
 * The stream `input` (a download) decompressed from `compression`, read with
 * `read` into the reader's buffer: only its compressed pieces are fresh
 * buffers, never what they expand to. Errors as {@linkcode decompressingReader}'s;
 * `close` cancels `input`.
 */
export function decompressingStreamReader(
  input: ReadableStream<Uint8Array>,
  compression: SyncCompression,
): AsyncByteSource {
  const inflater = new Inflater(compression);
  const reader = input.getReader();
  return {
    async read(buffer: Uint8Array): Promise<number | null> {
      for (;;) {
        const produced = inflater.inflate(buffer);
        if (produced !== 0) return produced;
        const { done, value } = await reader.read();
        if (done) inflater.end();
        else inflater.feed(value);
      }
    },
    close() {
      inflater.close();
      reader.cancel().catch(() => {});
    },
  };
}

/** One decompression: compressed input fed in, output written into buffers of the caller's. */
class Inflater {
  readonly #compression: SyncCompression;
  readonly #stream: EngineStream;
  readonly #engine: Engine;
  readonly #state: Uint32Array;
  readonly #more: number;
  readonly #finish: number;
  #failure: string | undefined;
  #input: Uint8Array = new Uint8Array(0);
  #start = 0;
  #ended = false;
  #done = false;

  constructor(compression: SyncCompression) {
    this.#compression = compression;
    this.#stream =
      (compression === "gzip"
        ? zlib.createGunzip()
        : zlib.createZstdDecompress()) as unknown as EngineStream;
    const { _handle: engine, _writeState: state } = this.#stream;
    const more = this.#stream._defaultFlushFlag;
    const finish = this.#stream._finishFlushFlag;
    if (!engine?.writeSync || !state || more === undefined || finish === undefined) {
      this.#stream.close();
      throw new PlashError(`this Deno's node:zlib has no synchronous ${compression} engine`);
    }
    [this.#engine, this.#state, this.#more, this.#finish] = [engine, state, more, finish];
    engine.onerror = (message) => this.#failure = message;
  }

  /** Hands over the next compressed bytes; only once {@linkcode inflate} asked for them. */
  feed(input: Uint8Array): void {
    [this.#input, this.#start] = [input, 0];
  }

  /** Says that no more compressed bytes come. */
  end(): void {
    this.#ended = true;
  }

  /**
   * Decompresses into `buffer`: how many bytes it wrote; 0 when it needs
   * more input ({@linkcode feed} or {@linkcode end}); `null` after the end.
   */
  inflate(buffer: Uint8Array): number | null {
    while (!this.#done) {
      const left = this.#input.length - this.#start;
      if (left === 0 && !this.#ended) return 0;
      const flush = this.#ended ? this.#finish : this.#more;
      this.#engine.writeSync(flush, this.#input, this.#start, left, buffer, 0, buffer.length);
      if (this.#failure !== undefined) {
        this.#done = true;
        const what = /unexpected end/i.test(this.#failure) ? "truncated" : "corrupt";
        throw new PlashError(`${what} ${this.#compression} data: ${this.#failure}`);
      }
      const [outputLeft, inputLeft] = this.#state;
      this.#start = this.#input.length - inputLeft;
      const produced = buffer.length - outputLeft;
      if (produced > 0) return produced;
      // Nothing in, nothing out: the stream ended (what follows it is ignored, as gunzip does).
      if (left === inputLeft && (this.#ended || inputLeft > 0)) this.#done = true;
    }
    return null;
  }

  /** Frees the engine. */
  close(): void {
    this.#done = true;
    this.#stream.close();
  }
}
