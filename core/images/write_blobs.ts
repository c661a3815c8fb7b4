/**
 * An {@linkcode OutgoingImage} written as OCI blobs into a
 * {@linkcode BlobDir}: a layer blob for each layer, its config and a
 * manifest listing them. The OCI layout and docker archive writers package
 * what this makes.
 *
 * Each layer is packed and compressed once; the same image exported again
 * gives the same blobs, byte for byte, so the same manifest digest.
 *
 * @example
 * ```ts
 * import { exportImage } from "./write_blobs.ts";
 * import { BlobDir } from "./blob_dir.ts";
 * import { Store } from "../store/store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const id = store.addLayer(0, store.makeTmpDir());
 * const image = await exportImage(store, id, BlobDir.create(`${dir}/layout`), { compression: "gzip" });
 * console.log(image.manifest.digest);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import type { Store } from "../store/store.ts";
import type { OutputCompression } from "../tar/compress.ts";
import type { BlobDir } from "./blob_dir.ts";
import type { Descriptor } from "./oci/manifest.ts";
import { layerType } from "./oci/media_types.ts";
import type { Document, OutgoingImage, WrittenLayer } from "./outgoing_image.ts";
import { startProgress } from "./progress.ts";
import { type ExportOptions, storeImage } from "./store_image.ts";

/**
 * What an export wrote.
 *
 * @example
 * ```ts
 * import { exportImage } from "./write_blobs.ts";
 * import { BlobDir } from "./blob_dir.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const dir = Deno.makeTempDirSync();
 * const image = await exportImage(store, store.addLayer(0, store.makeTmpDir()), BlobDir.create(dir));
 * console.log(image.manifest.digest, image.config.size, image.layers.length, image.diffIds);
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export interface ExportedImage {
  /** The manifest's descriptor. */
  manifest: Descriptor;
  /** The config's descriptor. */
  config: Descriptor;
  /** The layers' descriptors, the bottom one first. */
  layers: Descriptor[];
  /** Their diff_ids. */
  diffIds: string[];
  /** When the image was made, ISO 8601, when it says. */
  created?: string;
}

/**
 * Writes image `id` of `store` into `blobs` as OCI blobs and returns their
 * descriptors. A plash setting without an OCI form is said in one warning
 * line on stderr (see `oci_config.ts`).
 */
export async function exportImage(
  store: Store,
  id: number,
  blobs: BlobDir,
  options: ExportOptions = {},
): Promise<ExportedImage> {
  const image = storeImage(store, id, options);
  return await writeBlobs(image, blobs, { ...options, title: `exporting image ${id}` });
}

/** How a writer writes an image's blobs. */
export interface WriteOptions {
  /** How to compress the layers (default gzip). */
  compression?: OutputCompression;
  /** Stops the writing (Ctrl-C). */
  signal?: AbortSignal;
  /** What the progress display is titled. */
  title: string;
}

/**
 * Writes `image` into `blobs`; returns the descriptors of what it wrote.
 *
 * @example
 * ```ts
 * import { writeBlobs } from "./write_blobs.ts";
 * import { BlobDir } from "./blob_dir.ts";
 * import { storeImage } from "./store_image.ts";
 * import { Store } from "../store/store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const id = store.addLayer(0, store.makeTmpDir());
 * await writeBlobs(storeImage(store, id), BlobDir.create(`${dir}/layout`), { title: "exporting" });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function writeBlobs(
  image: OutgoingImage,
  blobs: BlobDir,
  options: WriteOptions,
): Promise<ExportedImage> {
  const compression = options.compression ?? "gzip";
  const progress = startProgress(options.title);
  const written: WrittenLayer[] = [];
  try {
    for (const layer of image.layers) {
      const made = await layer.open(compression, progress.item(layer.name), options.signal);
      const { digest, size } = await blobs.write(made.stream);
      const blob = { mediaType: layerType(compression), digest, size, diffId: made.diffId() };
      written.push({ blob, original: false });
    }
  } finally {
    progress.finish();
  }
  const documents = await image.documents(written);
  const config = await writeDocument(blobs, documents.config);
  return {
    manifest: await writeDocument(blobs, documents.manifest),
    config,
    layers: written.map(({ blob: { mediaType, digest, size } }) => ({ mediaType, digest, size })),
    diffIds: written.map(({ blob }) => blob.diffId),
    created: image.created,
  };
}

/** Writes `document` into `blobs`; returns its descriptor. */
async function writeDocument(blobs: BlobDir, document: Document): Promise<Descriptor> {
  const { digest, size } = await blobs.writeBytes(document.bytes);
  return { mediaType: document.mediaType, digest, size };
}

/**
 * The one mtime of an archive's entries: when the image was made.
 *
 * @example
 * ```ts
 * import { mtimeOf } from "./write_blobs.ts";
 *
 * mtimeOf({ created: "2026-01-02T03:04:05.678Z" } as never); // 2026-01-02T03:04:05Z
 * ```
 */
export function mtimeOf(image: ExportedImage): Date {
  const time = image.created ? Date.parse(image.created) : NaN;
  return new Date(Number.isNaN(time) ? 0 : Math.floor(time / 1000) * 1000);
}
