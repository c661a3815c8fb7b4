/**
 * gzip on every core, as pigz and pgzip do it: the input is cut into
 * blocks, workers compress each block on its own as raw deflate ending in a
 * sync flush (so it ends on a byte boundary and can be followed by the next
 * block's), and the blocks are joined, in order, into one gzip member with
 * one header and one CRC-32. Any gzip reader reads it; the output depends
 * only on the input and the block size, not on how many workers made it.
 *
 * The workers run the Web `CompressionStream("deflate-raw")`, the fastest
 * deflate here. It ends a stream that was given an empty chunk before it
 * closed with a sync flush (`00 00 ff ff`) and then an empty final block
 * (`03 00`); each worker checks that of every block, and the pool probes it
 * once before it is used: a runtime that does otherwise gets
 * {@linkcode gzipInBlocks} answering undefined, and its callers compress in
 * one stream.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gunzipSync } from "node:zlib";
 * import { gzipInBlocks } from "./gzip_parallel.ts";
 * import { inBlocks } from "./compress.ts";
 *
 * const tar = new Uint8Array(3 << 20); // three blocks, one a worker
 * const gzip = await gzipInBlocks(inBlocks(ReadableStream.from([tar]), 1 << 20));
 * // undefined where workers cannot start: the caller compresses in one stream then
 * if (gzip) {
 *   assert.deepEqual(new Uint8Array(gunzipSync(await new Response(gzip).bytes())), tar);
 * }
 * ```
 *
 * @module
 */

import { PlashError } from "../errors.ts";

/** The worker: compresses each block it is sent; answers `{ id, data }` or `{ id, error }`. */
const SOURCE = `
self.onmessage = async ({ data: { id, block } }) => {
  try {
    const stream = new CompressionStream("deflate-raw");
    const writer = stream.writable.getWriter();
    const parts = [];
    let size = 0;
    const reading = (async () => {
      for await (const part of stream.readable) parts.push(part), size += part.length;
    })();
    writer.write(block);
    writer.write(new Uint8Array(0));
    writer.close();
    await reading;
    const data = new Uint8Array(size);
    let offset = 0;
    for (const part of parts) data.set(part, offset), offset += part.length;
    const tail = Array.from(data.subarray(size - 6)).join(",");
    if (tail !== "0,0,255,255,3,0") throw new Error("the block does not end in a sync flush");
    const block_ = data.slice(0, size - 2);
    self.postMessage({ id, data: block_ }, [block_.buffer]);
  } catch (error) {
    self.postMessage({ id, error: String(error?.message ?? error) });
  }
};
`;

/** The gzip header: deflate, no name, no time, no extra fields, OS unknown. */
const HEADER = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty final deflate block (fixed Huffman codes), after the last block's sync flush. */
const FINAL_BLOCK = new Uint8Array([3, 0]);

/** Compresses blocks in workers; see the module documentation. */
class DeflatePool {
  readonly #size: number;
  #url?: string;
  #workers: Worker[] = [];
  #next = 0;
  #jobs = 0;
  #users = 0;
  readonly #waiting = new Map<
    number,
    { resolve(data: Uint8Array): void; reject(e: Error): void }
  >();

  constructor(size: number) {
    this.#size = size;
  }

  /** How many blocks may be in the workers at once. */
  get depth(): number {
    return 2 * this.#size;
  }

  /** Counts a stream that uses the pool; the workers end when the last one is done. */
  use(): () => void {
    this.#users++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.#users === 0) this.#stop();
    };
  }

  /** `block` as raw deflate ending in a sync flush. The block's buffer goes to a worker. */
  deflate(block: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
    if (this.#workers.length === 0) this.#start();
    const id = this.#jobs++;
    const worker = this.#workers[this.#next++ % this.#workers.length];
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ id, block }, [block.buffer]);
    });
  }

  #start(): void {
    this.#url ??= URL.createObjectURL(new Blob([SOURCE], { type: "application/javascript" }));
    for (let i = 0; i < this.#size; i++) {
      const worker = new Worker(this.#url, { type: "module" });
      worker.onmessage = ({ data }) => {
        const job = this.#waiting.get(data.id);
        this.#waiting.delete(data.id);
        if (data.error !== undefined) {
          job?.reject(new PlashError(`gzip compression failed: ${data.error}`));
        } else job?.resolve(data.data);
      };
      worker.onerror = (event) => {
        event.preventDefault();
        const error = new PlashError(`gzip compression failed: ${event.message}`);
        for (const job of this.#waiting.values()) job.reject(error);
        this.#waiting.clear();
      };
      this.#workers.push(worker);
    }
  }

  #stop(): void {
    for (const worker of this.#workers) worker.terminate();
    this.#workers = [];
    const error = new PlashError("gzip compression stopped");
    for (const job of this.#waiting.values()) job.reject(error);
    this.#waiting.clear();
  }
}

let pool: DeflatePool | undefined;
let works: Promise<boolean> | undefined;

/** The process's pool, one worker a core (at most 8). */
function thePool(): DeflatePool {
  return pool ??= new DeflatePool(Math.min(8, Math.max(1, navigator.hardwareConcurrency || 1)));
}

/**
 * Whether the workers' compressor ends blocks as this module needs (asked
 * once, of a pool in use).
 */
function probe(): Promise<boolean> {
  return works ??= thePool().deflate(new TextEncoder().encode("plash ".repeat(100)))
    .then(() => true, () => false);
}

/**
 * `blocks` (each with a buffer of its own, handed to the workers) as one
 * gzip member, compressed on every core; undefined when this runtime's
 * compressor cannot be used so (then compress in one stream).
 */
export async function gzipInBlocks(
  blocks: ReadableStream<Uint8Array<ArrayBuffer>>,
): Promise<ReadableStream<Uint8Array> | undefined> {
  const workers = thePool();
  const done = workers.use();
  if (!await probe()) {
    done();
    return undefined;
  }
  const { crc32 } = await import("node:zlib");
  const input = blocks.getReader();
  const queue: Promise<Uint8Array>[] = [];
  let crc = 0;
  let size = 0;
  let ended = false;
  const fill = async () => {
    while (!ended && queue.length < workers.depth) {
      const { done: last, value } = await input.read();
      if (last) {
        ended = true;
        break;
      }
      crc = crc32(value, crc);
      size += value.length;
      const deflated = workers.deflate(value);
      deflated.catch(() => {}); // reported when its turn comes
      queue.push(deflated);
    }
  };
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          return controller.enqueue(HEADER.slice());
        }
        await fill();
        const next = queue.shift();
        if (next) return controller.enqueue(await next);
        const trailer = new Uint8Array(10);
        trailer.set(FINAL_BLOCK);
        const view = new DataView(trailer.buffer);
        view.setUint32(2, crc >>> 0, true);
        view.setUint32(6, size % 2 ** 32, true);
        controller.enqueue(trailer);
        controller.close();
        done();
      } catch (error) {
        done();
        input.cancel(error).catch(() => {});
        controller.error(error);
      }
    },
    cancel(reason) {
      done();
      input.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}
