/**
 * xz undone as the tar reader reads, into its own buffer: a fixed window
 * however far the archive expands.
 *
 * npm `xz-decompress` runs xz-embedded in wasm; its `XzReadableStream` hands
 * out a fresh copy of each 64 KiB it decodes, and V8 frees those only when
 * it collects: 1 GiB of zeros peaked at 129 MiB (bench/README.md, issue 26).
 * Here the decoded bytes are copied from the wasm memory straight into the
 * caller's buffer. The package exports only the stream, so this drives its
 * wasm module (`_getModuleInstance`, the context's layout) as the stream
 * does; a version that changes them fails in one line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { xzReader } from "./xz_reader.ts";
 *
 * // `printf 'hi\n' | xz`, as a download's body would bring it
 * const xz = Uint8Array.fromBase64(
 *   "/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQACaGkKAAD7e+joKlhDTwABGwMLL7kQH7bzfQEAAAAABFla",
 * );
 * const tar = await xzReader(ReadableStream.from([xz]));
 * const piece = new Uint8Array(1 << 20);
 * assert.equal(await tar.read(piece), 3); // the first bytes
 * tar.close();
 * ```
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import type { AsyncByteSource } from "./file_chunks.ts";

/** The wasm module's functions (xz-decompress 0.2). */
interface XzExports {
  memory: WebAssembly.Memory;
  create_context(): number;
  destroy_context(context: number): void;
  supply_input(context: number, length: number): void;
  get_next_output(context: number): number;
}

/** The static parts of `XzReadableStream` that load its module. */
interface XzModule {
  _moduleInstance?: WebAssembly.Instance;
  _getModuleInstance?(): Promise<void>;
}

const XZ_OK = 0;
const XZ_STREAM_END = 1;
/** xz-embedded's XZ_BUF_ERROR: no progress possible, the input stopped short. */
const XZ_BUF_ERROR = 8;

/** The context's words (32-bit) from its start: buffer size, input and output buffers. */
const BUF_SIZE = 0, IN_START = 1, IN_POS = 2, IN_SIZE = 3, OUT_START = 4, OUT_POS = 5;

/**
 * The xz stream `input` decompressed, read with `read` into the caller's
 * buffer. A corrupt or truncated stream fails the read with a one-line
 * {@linkcode PlashError}; `close` cancels `input`.
 */
export async function xzReader(input: ReadableStream<Uint8Array>): Promise<AsyncByteSource> {
  const { default: xz } = await import("xz-decompress");
  const module = xz.XzReadableStream as unknown as XzModule;
  if (!module._moduleInstance && module._getModuleInstance) await module._getModuleInstance();
  const wasm = module._moduleInstance?.exports as XzExports | undefined;
  if (typeof wasm?.create_context !== "function" || typeof wasm.get_next_output !== "function") {
    await input.cancel().catch(() => {});
    throw new PlashError("this xz-decompress has no wasm module plash can drive");
  }
  const context = wasm.create_context();
  const reader = input.getReader();
  // The views are made again on each use: the wasm memory may grow (a larger dictionary).
  const words = () => new Uint32Array(wasm.memory.buffer, context, 6);
  const bytes = (start: number, end: number) =>
    new Uint8Array(wasm.memory.buffer, start, end - start);
  const size = words()[BUF_SIZE];
  let pending: Uint8Array = new Uint8Array(0);
  let ended = false;
  let finished = false;
  let disposed = false;
  let failure: PlashError | undefined;
  /** How much of the output buffer the caller has taken. */
  let taken = 0;
  const dispose = () => {
    if (!disposed) wasm.destroy_context(context);
    disposed = true;
  };
  /** Hands the decoder its next input, or says there is none. */
  const supply = async () => {
    while (pending.length === 0 && !ended) {
      const { done, value } = await reader.read();
      if (done) ended = true;
      else pending = value;
    }
    const length = Math.min(size, pending.length);
    const state = words();
    bytes(state[IN_START], state[IN_START] + length).set(pending.subarray(0, length));
    pending = pending.subarray(length);
    wasm.supply_input(context, length);
  };
  return {
    async read(buffer: Uint8Array): Promise<number | null> {
      for (;;) {
        if (failure) throw failure;
        if (disposed) return null;
        const state = words();
        const produced = state[OUT_POS] - taken;
        if (produced > 0) {
          const length = Math.min(produced, buffer.length);
          const start = state[OUT_START] + taken;
          buffer.set(bytes(start, start + length));
          taken += length;
          return length;
        }
        if (finished) {
          dispose();
          return null;
        }
        state[OUT_POS] = taken = 0;
        if (state[IN_POS] === state[IN_SIZE]) await supply();
        const result = wasm.get_next_output(context);
        if (result === XZ_STREAM_END) finished = true;
        else if (result !== XZ_OK) {
          dispose();
          const what = result === XZ_BUF_ERROR ? "truncated" : "corrupt";
          throw failure = new PlashError(`${what} xz data: xz-embedded's error code ${result}`);
        }
      }
    },
    close() {
      dispose();
      reader.cancel().catch(() => {});
    },
  };
}
