/**
 * Compressing a stream in a Web Worker, so that the compressor runs on
 * another core while plash's own thread packs the tar, hashes it and sends
 * the result (compression, the slow part of writing a layer: 2.4 s for 172 MB
 * of Debian here). Decompression is not done here: the tar reader undoes it
 * into its own buffer (`sync_decompress.ts`), which holds memory to a fixed
 * window (issue 26).
 *
 * The worker is made from source held here (a `blob:` URL), so it runs the
 * same from the sources and from the start bundle. Both ways hold back:
 * plash sends at most {@linkcode IN_FLIGHT} input blocks the worker has not
 * taken yet, and the worker reads compressed output only as plash's reader
 * asks for it, so memory stays a few blocks whatever is slower.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gunzipSync } from "node:zlib";
 * import { compressInWorker } from "./codec_worker.ts";
 *
 * const tar = new Uint8Array(1024); // an empty tar: its two end blocks
 * const gzip = compressInWorker(ReadableStream.from([tar]), "gzip"); // tar goes to the worker
 * const back = gunzipSync(await new Response(gzip).bytes());
 * assert.deepEqual(new Uint8Array(back), new Uint8Array(1024));
 * ```
 *
 * @module
 */

import { PlashError } from "../errors.ts";

/** What a worker can compress with. */
export type WorkerCompression = "gzip" | "zstd";

/** How many blocks may wait in the worker. */
const IN_FLIGHT = 4;
/**
 * The size of what the worker sends back, at least: one message per
 * compressor output chunk (a few KiB each) cost a third more time.
 */
const BATCH = 1 << 20;

/**
 * The worker. Messages in: `start` (the compression), `chunk` (a block,
 * acknowledged with `ack` once the compressor took it), `end`, `credit`
 * (one more batch of output may be sent). Out: `ack`, `data` (a batch of at
 * least {@linkcode BATCH} bytes, the last one shorter), `end`, `error`.
 */
const SOURCE = `
const BATCH = ${BATCH};
let writer, reader, wake = () => {}, credits = 0, ready;
const fail = (error) => self.postMessage({ type: "error", message: String(error?.message ?? error) });
async function open(codec) {
  if (codec === "gzip") return new CompressionStream("gzip");
  const [{ Duplex }, zlib] = await Promise.all([import("node:stream"), import("node:zlib")]);
  return Duplex.toWeb(zlib.createZstdCompress());
}
async function pump() {
  let parts = [], size = 0;
  const send = () => {
    const data = new Uint8Array(size);
    let offset = 0;
    for (const part of parts) data.set(part, offset), offset += part.length;
    parts = [], size = 0;
    self.postMessage({ type: "data", data }, [data.buffer]);
  };
  for (;;) {
    while (credits === 0) await new Promise((resolve) => (wake = resolve));
    const { done, value } = await reader.read();
    if (done) {
      if (size > 0) send();
      return self.postMessage({ type: "end" });
    }
    parts.push(value), size += value.length;
    if (size >= BATCH) credits--, send();
  }
}
self.onmessage = ({ data: message }) => {
  if (message.type === "credit") {
    credits++;
    return wake();
  }
  if (message.type === "start") {
    ready = open(message.codec).then((stream) => {
      writer = stream.writable.getWriter();
      reader = stream.readable.getReader();
      pump().catch(fail);
    });
    return ready.catch(fail);
  }
  if (message.type === "chunk") {
    ready.then(() => writer.write(message.data)).then(() => self.postMessage({ type: "ack" }), fail);
  } else if (message.type === "end") ready.then(() => writer.close()).catch(fail);
};
`;

let sourceUrl: string | undefined;

/**
 * `blocks` compressed with `compression` in a worker of its own, which ends
 * with the stream (also when it fails or is cancelled). Each block must own
 * its buffer: it is handed over to the worker, not copied.
 */
export function compressInWorker(
  blocks: ReadableStream<Uint8Array<ArrayBuffer>>,
  compression: WorkerCompression,
): ReadableStream<Uint8Array> {
  const failure = (message: string) =>
    new PlashError(`${compression} compression failed: ${message}`);
  return inWorker(blocks, compression, failure);
}

function inWorker(
  blocks: ReadableStream<Uint8Array<ArrayBuffer>>,
  codec: WorkerCompression,
  failure: (message: string) => Error,
): ReadableStream<Uint8Array> {
  sourceUrl ??= URL.createObjectURL(new Blob([SOURCE], { type: "application/javascript" }));
  const worker = new Worker(sourceUrl, { type: "module" });
  const input = blocks.getReader();
  let inFlight = 0;
  let taken = () => {};
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    worker.terminate();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const fail = (error: unknown) => {
        if (ended) return;
        end();
        input.cancel(error).catch(() => {});
        controller.error(error);
      };
      worker.onmessage = ({ data: message }) => {
        if (message.type === "ack") {
          inFlight--;
          taken();
        } else if (message.type === "data") controller.enqueue(message.data);
        else if (message.type === "end") {
          end();
          controller.close();
        } else fail(failure(message.message));
      };
      worker.onerror = (event) => {
        event.preventDefault();
        fail(failure(event.message));
      };
      worker.postMessage({ type: "start", codec });
      (async () => {
        for (;;) {
          const { done, value } = await input.read();
          if (ended) return;
          if (done) return worker.postMessage({ type: "end" });
          while (inFlight >= IN_FLIGHT) await new Promise<void>((resolve) => taken = resolve);
          if (ended) return;
          inFlight++;
          worker.postMessage({ type: "chunk", data: value }, [value.buffer]);
        }
      })().catch(fail);
    },
    pull() {
      if (!ended) worker.postMessage({ type: "credit" });
    },
    cancel(reason) {
      end();
      input.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 4 });
}
