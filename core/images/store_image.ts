/**
 * An image of the store as an {@linkcode OutgoingImage}: each layer that
 * holds files is packed as an OCI layer (`tar/oci_layer.ts`), and its config
 * is its plash config made an OCI config (`oci/oci_image_config.ts`).
 *
 * For a push, an image pulled and pushed unchanged (all of it, its blobs
 * the pulled ones) keeps the manifest and config it was pulled with, so its
 * digest; one whose layers were packed anew gets the pulled config with
 * their diff_ids. Archives always get the plash config.
 *
 * @example
 * ```ts
 * import { storeImage } from "./store_image.ts";
 * import { Store } from "../store/store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const id = store.addLayer(0, store.makeTmpDir());
 * const image = storeImage(store, id);
 * console.log(image.layers.map((layer) => layer.name)); // [ "layer of image 1" ]
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import type { Store } from "../store/store.ts";
import type { OutputCompression } from "../tar/compress.ts";
import { pulledManifest } from "./blob_notes.ts";
import { imageLayers } from "./image_layers.ts";
import { layerBlobStream } from "./layer_blob.ts";
import type { Descriptor } from "./oci/manifest.ts";
import { OCI_CONFIG } from "./oci/media_types.ts";
import { ociImageConfig } from "./oci/oci_image_config.ts";
import { type WantedPlatform, wantedPlatform } from "./oci/platform.ts";
import {
  documentsOf,
  type ImageDocuments,
  type OutgoingImage,
  type OutgoingLayer,
  type WrittenLayer,
} from "./outgoing_image.ts";

/**
 * How to export.
 *
 * @example
 * ```ts
 * import type { ExportOptions } from "./store_image.ts";
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

/** Which image to write, and how its config is made. */
export interface StoreImageOptions extends ExportOptions {
  /** Keep a pulled image's manifest and config where its layers allow (a push). */
  keepPulled?: boolean;
}

/**
 * Image `id` of `store` (its layers above `options.base`) as an image to
 * write. A plash setting without an OCI form is said in one warning line on
 * stderr when its config is made.
 */
export function storeImage(
  store: Store,
  id: number,
  options: StoreImageOptions = {},
): OutgoingImage {
  const layers = imageLayers(store, id, options.base);
  return {
    layers: layers.filter((layer) => !layer.empty).map((layer) => storeLayer(store, layer.id)),
    created: store.config(id).created,
    async documents(written: WrittenLayer[]): Promise<ImageDocuments> {
      const pulled = options.keepPulled && (options.base ?? 0) === 0
        ? pulledManifest(store, id)
        : undefined;
      if (pulled) {
        const reused = reusePulled(pulled.manifest, pulled.config, written);
        if (reused === "whole") {
          return {
            config: { bytes: new Uint8Array(pulled.config), mediaType: OCI_CONFIG },
            manifest: { bytes: new Uint8Array(pulled.manifest), mediaType: pulled.mediaType },
            from: [pulled.repository],
          };
        }
        if (reused) return await documentsOf(reused, OCI_CONFIG, written);
      }
      const { document, warning } = ociImageConfig({
        config: store.config(id),
        layers,
        diffIds: written.map(({ blob }) => blob.diffId),
        platform: options.platform ?? wantedPlatform(),
      });
      if (warning) console.error(`plash warning: image ${id}: ${warning}`);
      return await documentsOf(document, OCI_CONFIG, written);
    },
  };
}

/**
 * The layer of image `id` of `store`, as a layer to write.
 *
 * @example
 * ```ts
 * import { storeLayer } from "./store_image.ts";
 * import { Store } from "../store/store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const id = store.addLayer(0, store.makeTmpDir());
 * const blob = await storeLayer(store, id).open("gzip");
 * await blob.stream.pipeTo(new WritableStream());
 * console.log(blob.diffId()); // sha256:...
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function storeLayer(store: Store, id: number): OutgoingLayer {
  const dir = store.layer(id);
  return {
    id,
    name: `layer of image ${id}`,
    open: (compression, progress, signal) => layerBlobStream(dir, compression, progress, signal),
  };
}

/**
 * How much of a pulled image's documents a push can keep: all of them
 * ("whole") when every layer is the blob the manifest lists, else its
 * config with the diff_ids of the layers as pushed (when the layers are as
 * many), else nothing.
 */
function reusePulled(
  manifestBytes: Uint8Array,
  configBytes: Uint8Array,
  written: WrittenLayer[],
): "whole" | Record<string, unknown> | undefined {
  try {
    const manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
    const config = JSON.parse(new TextDecoder().decode(configBytes));
    const listed: string[] = manifest.layers.map((layer: Descriptor) => layer.digest);
    if (listed.length !== written.length || !Array.isArray(config.rootfs?.diff_ids)) {
      return undefined;
    }
    if (written.every(({ blob, original }, i) => original && blob.digest === listed[i])) {
      return "whole";
    }
    return { ...config, rootfs: { ...config.rootfs, diff_ids: written.map((p) => p.blob.diffId) } };
  } catch {
    return undefined; // a note plash cannot read: the plash config serves
  }
}
