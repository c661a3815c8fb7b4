/**
 * One plash layer as an OCI layer blob: its deterministic tar
 * (`tar/oci_layer.ts`), compressed, the tar hashed on the way for the
 * config's `diff_id`. Written into a {@linkcode BlobDir} for archives, or
 * streamed to a registry by a push.
 *
 * @example
 * ```ts
 * import { writeLayerBlob } from "./layer_blob.ts";
 * import { BlobDir } from "./blob_dir.ts";
 *
 * const blobs = BlobDir.create("/tmp/layout");
 * const layer = await writeLayerBlob(blobs, "/root/.plashdata/index/7/_data/root", "gzip");
 * console.log(layer.descriptor.digest, layer.diffId);
 * ```
 *
 * @module
 */

import { createSha256 } from "../../sha256.ts";
import { compress, type OutputCompression } from "../../tar/compress.ts";
import { packLayer } from "../../tar/oci_layer.ts";
import type { Descriptor } from "../oci/manifest.ts";
import { layerType } from "../oci/media_types.ts";
import type { ProgressItem } from "../progress.ts";
import type { BlobDir } from "./blob_dir.ts";

/** A layer blob written: how a manifest lists it, and its diff_id. */
export interface LayerBlobOut {
  /** The blob's descriptor (OCI media type for its compression). */
  descriptor: Descriptor;
  /** The sha256 of the uncompressed tar. */
  diffId: string;
}

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

/**
 * Writes layer directory `dir` into `blobs` as a layer compressed with
 * `compression`; `progress` counts the tar's bytes, `signal` stops it.
 */
export async function writeLayerBlob(
  blobs: BlobDir,
  dir: string,
  compression: OutputCompression,
  progress?: ProgressItem,
  signal?: AbortSignal,
): Promise<LayerBlobOut> {
  const blob = await layerBlobStream(dir, compression, progress, signal);
  const { digest, size } = await blobs.write(blob.stream);
  return {
    descriptor: { mediaType: layerType(compression), digest, size },
    diffId: blob.diffId(),
  };
}
