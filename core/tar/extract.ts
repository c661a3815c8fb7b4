/**
 * Extracting a tar archive into a directory, safely, with owners, modes,
 * xattrs, device nodes and hard links intact.
 *
 * tar-stream parses; {@linkcode EntryWriter} does every filesystem call, so
 * the safety rules live in one place (see `entry_writer.ts`).
 *
 * @module
 */

import type { Extract } from "tar-stream";
import { PlashError, wrap } from "../errors.ts";
import { drainedOrClosed } from "./drained.ts";
import { EntryWriter, type WriterOptions } from "./entry_writer.ts";
import { tarExtract } from "./tar_stream.ts";

const BLOCK = 512;

/**
 * Extracts the (decompressed) tar archive `input` into `root`, an existing
 * directory. Fails on the first bad entry and on an archive that ends early;
 * what was written by then stays, so extract into a staging directory.
 * `options.whiteouts` reads the archive as an OCI layer (see `oci_whiteouts.ts`).
 *
 * @example
 * ```ts
 * const file = await Deno.open("rootfs.tar");
 * await extractTar(file.readable, "/tmp/rootfs");
 * ```
 */
export async function extractTar(
  input: ReadableStream<Uint8Array>,
  root: string,
  options: WriterOptions = {},
): Promise<void> {
  const writer = new EntryWriter(root, options);
  try {
    const extract = tarExtract();
    const tail = new LastBlock();
    const feeding = feed(input, extract, tail);
    try {
      for await (const entry of extract) {
        // tar-stream yields its entries' contents as Buffers.
        await writer.add(entry.header, entry as AsyncIterable<Uint8Array>);
      }
    } catch (error) {
      throw error instanceof PlashError ? error : wrap(error, "bad archive");
    } finally {
      extract.destroy();
      await feeding;
    }
    // A plain tar has no checksum over the whole: a stream cut between two
    // entries would otherwise pass as a complete, smaller archive.
    if (!tail.isZero()) throw new PlashError("truncated archive: no end-of-archive block");
    writer.finish();
  } finally {
    writer.close();
  }
}

/**
 * Writes `input` into the parser, waiting while the parser's buffer is full.
 * A failing input fails the parser; a parser that stops (done or failed)
 * stops the input.
 */
async function feed(
  input: ReadableStream<Uint8Array>,
  extract: Extract,
  tail: LastBlock,
): Promise<void> {
  const reader = input.getReader();
  try {
    while (!extract.destroying) {
      const { done, value } = await reader.read();
      if (done) {
        extract.end(null); // null: no last chunk to write
        return;
      }
      tail.push(value);
      if (!extract.write(value)) await drainedOrClosed(extract);
    }
  } catch (error) {
    extract.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** The last 512 bytes of a stream, to check that it ends with a zero block. */
class LastBlock {
  #block = new Uint8Array(0);

  push(chunk: Uint8Array): void {
    if (chunk.length >= BLOCK) {
      this.#block = chunk.slice(-BLOCK);
      return;
    }
    const joined = new Uint8Array(this.#block.length + chunk.length);
    joined.set(this.#block);
    joined.set(chunk, this.#block.length);
    this.#block = joined.slice(-BLOCK);
  }

  isZero(): boolean {
    return this.#block.length === BLOCK && this.#block.every((byte) => byte === 0);
  }
}
