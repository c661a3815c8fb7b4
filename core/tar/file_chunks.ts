/**
 * A file's bytes in large pieces read with plain `readSync`: as a stream, or
 * into a buffer of the caller's ({@linkcode readFull}; the tar reader reads
 * a plain archive file into one buffer again and again).
 *
 * `FsFile.readable` reads 64 KiB at a time, each read a hop to another
 * thread and back: for a 178 MB archive on a tmpfs that is 2,700 hops and
 * the main thread idle between them. A synchronous read of 1 MiB from the
 * page cache takes about as long as one hop, and an extractor that waits
 * for the next piece has nothing else to do meanwhile.
 *
 * @module
 */

/** What can be read from synchronously, as a file or stdin can. */
export interface ByteSource {
  /** Reads into `buffer`; the number of bytes read, `null` at the end. */
  readSync(buffer: Uint8Array): number | null;
  /** Releases it. */
  close(): void;
}

/** What can be read from as a file is, each read awaited: a download being decompressed. */
export interface AsyncByteSource {
  /** Reads into `buffer`; the number of bytes read, `null` at the end. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Releases it. */
  close(): void;
}

/** The size of each piece: large enough that per-read costs vanish, small enough to keep RSS flat. */
export const PIECE = 1 << 20;

/**
 * The contents of the open file `file`, which the stream closes when it ends
 * or is cancelled. Every piece is a fresh buffer (a parser may keep views of it).
 *
 * @example
 * ```ts
 * import { fileChunks } from "./file_chunks.ts";
 *
 * for await (const piece of fileChunks(Deno.openSync("/etc/hostname"))) console.log(piece.length);
 * ```
 */
export function fileChunks(file: ByteSource): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const buffer = new Uint8Array(PIECE);
      const filled = readFull(file, buffer);
      if (filled > 0) controller.enqueue(filled === PIECE ? buffer : buffer.slice(0, filled));
      if (filled < PIECE) {
        file.close();
        controller.close();
      }
    },
    cancel() {
      file.close();
    },
  }, { highWaterMark: 0 });
}

/**
 * Fills `buffer` from `file` and returns how many bytes were read: fewer
 * than its length only at the end of the file. A pipe or a slow device may
 * hand over less at a time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFull } from "./file_chunks.ts";
 *
 * const head = new Uint8Array(6);
 * const file = Deno.openSync("/dev/zero");
 * assert.equal(readFull(file, head), 6); // fewer only at the end of the file
 * file.close();
 * ```
 */
export function readFull(file: ByteSource, buffer: Uint8Array): number {
  let filled = 0;
  while (filled < buffer.length) {
    const read = file.readSync(buffer.subarray(filled));
    if (read === null) break;
    filled += read;
  }
  return filled;
}

/**
 * Fills `buffer` from `source` as {@linkcode readFull} does, awaiting each
 * read of an {@linkcode AsyncByteSource}.
 */
export async function fill(
  source: ByteSource | AsyncByteSource,
  buffer: Uint8Array,
): Promise<number> {
  if ("readSync" in source) return readFull(source, buffer);
  let filled = 0;
  while (filled < buffer.length) {
    const read = await source.read(buffer.subarray(filled));
    if (read === null) break;
    filled += read;
  }
  return filled;
}

/**
 * `source` read after `head`, bytes already read from it (a pipe cannot go
 * back to its start).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prefixed, readFull } from "./file_chunks.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/f`, "123456789");
 * const file = Deno.openSync(`${dir}/f`);
 * const head = new Uint8Array(6);
 * readFull(file, head);
 * const whole = prefixed(head, file); // reads from the file's first byte
 * const all = new Uint8Array(16);
 * assert.equal(readFull(whole, all), 9);
 * whole.close();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function prefixed(head: Uint8Array, source: ByteSource): ByteSource {
  let rest = head;
  return {
    readSync(buffer: Uint8Array): number | null {
      if (rest.length === 0) return source.readSync(buffer);
      const length = Math.min(rest.length, buffer.length);
      buffer.set(rest.subarray(0, length));
      rest = rest.subarray(length);
      return length;
    },
    close: () => source.close(),
  };
}
