/**
 * An image written out as OCI blobs: a layer blob for each plash layer that
 * holds files, its image config and a manifest listing them, all into a
 * {@linkcode BlobDir}. The OCI layout and docker archive writers package
 * what this makes.
 *
 * Each layer is packed and compressed once; the same image exported again
 * gives the same blobs, byte for byte, so the same manifest digest.
 *
 * @example
 * ```ts
 * import { exportImage } from "./export_image.ts";
 * import { BlobDir } from "./blob_dir.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * const dir = Deno.makeTempDirSync();
 * const blobs = BlobDir.create(`${dir}/layout`);
 * const image = await exportImage(store, id, blobs, { compression: "gzip" });
 * console.log(image.manifest.digest);
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import type { Store } from "../../store/store.ts";
import type { OutputCompression } from "../../tar/compress.ts";
import type { Descriptor } from "../oci/manifest.ts";
import { OCI_CONFIG, OCI_MANIFEST } from "../oci/media_types.ts";
import { type WantedPlatform, wantedPlatform } from "../oci/platform.ts";
import { startProgress } from "../progress.ts";
import type { BlobDir } from "./blob_dir.ts";
import { imageLayers } from "./image_layers.ts";
import { writeLayerBlob } from "./layer_blob.ts";
import { ociImageConfig } from "./oci_config.ts";

/**
 * How to export.
 *
 * @example
 * ```ts
 * import type { ExportOptions } from "./export_image.ts";
 *
 * // Only the layers above image 3, gzip-compressed, given up after a minute
 * const options: ExportOptions = { base: 3, compression: "gzip", signal: AbortSignal.timeout(60_000) };
 * ```
 */
export interface ExportOptions {
  /** Export only the layers above this image (default 0: all of them). */
  base?: number;
  /** How to compress the layers (default gzip). */
  compression?: OutputCompression;
  /** The platform the config names (default this host's). */
  platform?: WantedPlatform;
  /** Stops the export (Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * What an export wrote.
 *
 * @example
 * ```ts
 * import { exportImage } from "./export_image.ts";
 * import { BlobDir } from "./blob_dir.ts";
 * import { Store } from "../../store/store.ts";
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
  const layers = imageLayers(store, id, options.base);
  const compression = options.compression ?? "gzip";
  const progress = startProgress(`exporting image ${id}`);
  const written = [];
  try {
    for (const layer of layers.filter((each) => !each.empty)) {
      const item = progress.item(`layer of image ${layer.id}`);
      written.push(await writeLayerBlob(blobs, layer.dir, compression, item, options.signal));
    }
  } finally {
    progress.finish();
  }
  const diffIds = written.map((each) => each.diffId);
  const plashConfig = store.config(id);
  const { document, warning } = ociImageConfig({
    config: plashConfig,
    layers,
    diffIds,
    platform: options.platform ?? wantedPlatform(),
  });
  if (warning) console.error(`plash warning: image ${id}: ${warning}`);
  const config = await writeJson(blobs, OCI_CONFIG, document);
  const descriptors = written.map((each) => each.descriptor);
  const manifest = await writeJson(blobs, OCI_MANIFEST, ociManifest(config, descriptors));
  return { manifest, config, layers: descriptors, diffIds, created: plashConfig.created };
}

/**
 * The OCI image manifest of `config` and `layers`, ready for
 * `JSON.stringify`.
 *
 * @example
 * ```ts
 * import { ociManifest } from "./export_image.ts";
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

/** Writes `document` as JSON into `blobs`; returns its descriptor of type `mediaType`. */
export async function writeJson(
  blobs: BlobDir,
  mediaType: string,
  document: unknown,
): Promise<Descriptor> {
  const { digest, size } = await blobs.writeBytes(
    new TextEncoder().encode(JSON.stringify(document)),
  );
  return { mediaType, digest, size };
}

/** Only the fields a manifest lists, in a fixed order. */
function descriptorOf({ mediaType, digest, size }: Descriptor): Descriptor {
  return { mediaType, digest, size };
}
