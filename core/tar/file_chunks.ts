/**
 * A file's bytes as a stream of large pieces read with plain `readSync`.
 *
 * `FsFile.readable` reads 64 KiB at a time, each read a hop to another
 * thread and back: for a 178 MB archive on a tmpfs that is 2,700 hops and
 * the main thread idle between them. A synchronous read of 1 MiB from the
 * page cache takes about as long as one hop, and an extractor that waits
 * for the next piece has nothing else to do meanwhile.
 *
 * @module
 */

/** The size of each piece: large enough that per-read costs vanish, small enough to keep RSS flat. */
const PIECE = 1 << 20;

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
export function fileChunks(file: Deno.FsFile): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const buffer = new Uint8Array(PIECE);
      let filled = 0;
      // Fill the piece: a pipe or a slow device may hand over less at a time.
      while (filled < PIECE) {
        const read = file.readSync(buffer.subarray(filled));
        if (read === null) break;
        filled += read;
      }
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
