/**
 * One plash layer as an OCI layer blob: its deterministic tar
 * (`tar/oci_layer.ts`), compressed, the tar hashed on the way for the
 * config's `diff_id`. Written into a blob directory for archives, or
 * streamed to a registry by a push.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { layerBlobStream } from "./layer_blob.ts";
 *
 * const dir = Deno.makeTempDirSync(); // an image's layer: `plash nodepath 7`/_data/root
 * Deno.writeTextFileSync(`${dir}/hello`, "hi\n");
 * const blob = await layerBlobStream(dir, "gzip");
 * await blob.stream.pipeTo(new WritableStream());
 * assert.match(blob.diffId(), /^sha256:[0-9a-f]{64}$/); // the uncompressed tar's
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { createSha256 } from "../sha256.ts";
import { compress, type OutputCompression } from "../tar/compress.ts";
import { packLayer } from "../tar/oci_layer.ts";
import type { ProgressItem } from "./progress.ts";

/** A layer blob being made; see {@linkcode layerBlobStream}. */
export interface LayerBlobStream {
  /** The compressed blob. */
  stream: ReadableStream<Uint8Array>;
  /** The layer's diff_id: ask once `stream` was read to its end. */
  diffId(): string;
}

/**
 * Layer directory `dir` as a blob compressed with `compression`; `progress`
 * counts the tar's bytes, `signal` stops it.
 */
export async function layerBlobStream(
  dir: string,
  compression: OutputCompression,
  progress?: ProgressItem,
  signal?: AbortSignal,
): Promise<LayerBlobStream> {
  const tarHash = await createSha256();
  let diffId: string | undefined;
  const tar = packLayer(dir).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        signal?.throwIfAborted();
        tarHash.update(chunk);
        progress?.add(chunk.length);
        controller.enqueue(chunk);
      },
      flush() {
        diffId = `sha256:${tarHash.hex()}`;
        progress?.done();
      },
    }),
  );
  return {
    stream: compress(tar, compression),
    diffId: () => {
      if (diffId === undefined) throw new Error("the layer's tar was not read to its end");
      return diffId;
    },
  };
}
