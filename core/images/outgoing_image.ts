/**
 * An image on its way out of plash: what every writer takes (an OCI layout,
 * a docker archive, a registry by `push`, a build cache by `--cache-to`).
 *
 * Its layers are streams, packed and compressed as a writer reads them, so
 * a layer's digest is known only once it was read; a writer therefore
 * writes the layers first, its own way (into a blob directory, up to a
 * registry, or not at all when the destination has the blob), and then asks
 * the image for its config and manifest, which list the layers as written.
 *
 * @example
 * ```ts
 * import type { OutgoingImage } from "./outgoing_image.ts";
 *
 * async function diffIds(image: OutgoingImage): Promise<string[]> {
 *   const ids = [];
 *   for (const layer of image.layers) {
 *     const blob = await layer.open("none");
 *     await blob.stream.pipeTo(new WritableStream());
 *     ids.push(blob.diffId());
 *   }
 *   return ids;
 * }
 * ```
 *
 * @module
 */

import type { OutputCompression } from "../tar/compress.ts";
import type { LayerBlobInfo } from "./blob_notes.ts";
import { digestOf } from "./digest.ts";
import type { LayerBlobStream } from "./layer_blob.ts";
import type { Descriptor } from "./oci/manifest.ts";
import { OCI_MANIFEST } from "./oci/media_types.ts";
import type { ProgressItem } from "./progress.ts";

/** One layer of an {@linkcode OutgoingImage}: a plash layer that holds files. */
export interface OutgoingLayer {
  /** The plash image whose layer it is (blob notes are kept on it). */
  id: number;
  /** What progress and errors call it: `layer of image ID`. */
  name: string;
  /**
   * The layer as a blob compressed with `compression`, made as it is read;
   * `progress` counts the tar's bytes, `signal` stops it.
   */
  open(
    compression: OutputCompression,
    progress?: ProgressItem,
    signal?: AbortSignal,
  ): Promise<LayerBlobStream>;
}

/** A layer as a writer wrote it. */
export interface WrittenLayer {
  /** Its blob. */
  blob: LayerBlobInfo;
  /** Whether it is a blob plash knew of (pulled, or pushed before), not one packed now. */
  original: boolean;
}

/** A small blob in memory: a config or a manifest. */
export interface Document {
  /** Its bytes. */
  bytes: Uint8Array<ArrayBuffer>;
  /** Its media type. */
  mediaType: string;
}

/** The config and manifest of an image whose layers were written. */
export interface ImageDocuments {
  /** The config blob. */
  config: Document;
  /** The manifest, listing the config and the layers. */
  manifest: Document;
  /** `registry/repository` names that may hold them already (a pulled image's). */
  from?: string[];
}

/** An image to write: see the module documentation. */
export interface OutgoingImage {
  /** The layers that hold files, the bottom one first. */
  layers: OutgoingLayer[];
  /** When the image was made, ISO 8601, when it says (an archive's one mtime). */
  created?: string;
  /** Its config and manifest, once `written` (one per layer, in order) are written. */
  documents(written: WrittenLayer[]): Promise<ImageDocuments>;
}

/**
 * The OCI image manifest of `config` and `layers`, ready for
 * `JSON.stringify`.
 *
 * @example
 * ```ts
 * import { ociManifest } from "./outgoing_image.ts";
 *
 * const config = { mediaType: "application/vnd.oci.image.config.v1+json", digest: "sha256:...", size: 2 };
 * JSON.stringify(ociManifest(config, []));
 * ```
 */
export function ociManifest(config: Descriptor, layers: Descriptor[]): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptorOf(config),
    layers: layers.map(descriptorOf),
  };
}

/**
 * The config blob of `config` (of type `configType`) and the OCI manifest
 * listing it and the layers `written`.
 *
 * @example
 * ```ts
 * import { documentsOf } from "./outgoing_image.ts";
 *
 * const { manifest } = await documentsOf({ key: "k" }, "application/vnd.example+json", []);
 * ```
 */
export async function documentsOf(
  config: unknown,
  configType: string,
  written: WrittenLayer[],
): Promise<ImageDocuments> {
  const configBytes = new TextEncoder().encode(JSON.stringify(config));
  const configDescriptor = {
    mediaType: configType,
    digest: await digestOf(configBytes),
    size: configBytes.length,
  };
  const layers = written.map(({ blob }) => blob);
  const manifest = new TextEncoder().encode(JSON.stringify(ociManifest(configDescriptor, layers)));
  return {
    config: { bytes: configBytes, mediaType: configType },
    manifest: { bytes: manifest, mediaType: OCI_MANIFEST },
  };
}

/** Only the fields a manifest lists, in a fixed order. */
function descriptorOf({ mediaType, digest, size }: Descriptor): Descriptor {
  return { mediaType, digest, size };
}
