/**
 * `plash import-oci`: an image from an OCI image layout (`oci-layout`,
 * `index.json`, `blobs/sha256/...`), a directory or a tar archive of one,
 * as `skopeo copy ... oci:DIR` and `umoci` write them.
 *
 * @module
 */

import { PlashError, wrap } from "../../errors.ts";
import { KEYS } from "../../store/keys.ts";
import type { Store } from "../../store/store.ts";
import { digestOf, shortDigest } from "../digest.ts";
import { checkLayerCount, installImage } from "../install_image.ts";
import { fileInside, onlyImage, readSmallFile, withArchiveDir } from "../archive_dir.ts";
import { imageConfigOf } from "../oci/oci_image_config.ts";
import {
  type Descriptor,
  diffIdsOf,
  type ManifestDocument,
  parseImageConfig,
  parseManifest,
} from "../oci/manifest.ts";
import { isLayerType, OCI_INDEX } from "../oci/media_types.ts";
import { choosePlatform, type WantedPlatform } from "../oci/platform.ts";

/** The annotation naming an image of a layout (`skopeo copy ... oci:DIR:NAME`). */
const REF_NAME = "org.opencontainers.image.ref.name";

/**
 * Which image of the layout to import.
 *
 * @example
 * ```ts
 * import type { LayoutOptions } from "./read_layout.ts";
 *
 * // `plash import-oci DIR:app:1 --arch arm64`
 * const options: LayoutOptions = { ref: "app:1", platform: { architecture: "arm64" } };
 * ```
 */
export interface LayoutOptions {
  /** The image's ref name annotation; needed when the layout has several. */
  ref?: string;
  /** The platform to take from a multi-platform image. */
  platform: WantedPlatform;
}

/**
 * Imports an image of the layout at `source` into `store`; returns its id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importOciLayout } from "./read_layout.ts";
 * import { wantedPlatform } from "../oci/platform.ts";
 * import { exportOciLayout } from "./write_layout.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const dir = Deno.makeTempDirSync();
 * const layout = `${dir}/layout`; // `skopeo copy ... oci:DIR` writes one too
 * await exportOciLayout(store, store.addLayer(0, store.makeTmpDir()), layout);
 * const signal = AbortSignal.timeout(60_000);
 * const id = await importOciLayout(store, layout, { platform: wantedPlatform() }, signal);
 * assert.equal(store.parent(id), 0);
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function importOciLayout(
  store: Store,
  source: string,
  options: LayoutOptions,
  signal: AbortSignal,
): Promise<number> {
  try {
    return await withArchiveDir(store, source, (dir) => importFrom(store, dir, options, signal));
  } catch (error) {
    signal.throwIfAborted();
    throw wrap(error, `import-oci ${source}`);
  }
}

async function importFrom(
  store: Store,
  dir: string,
  options: LayoutOptions,
  signal: AbortSignal,
): Promise<number> {
  fileInside(dir, "oci-layout", "the layout's file");
  const top = parseManifest(
    await readSmallFile(fileInside(dir, "index.json", "file"), {}),
    OCI_INDEX,
  );
  if (top.kind !== "index") throw new PlashError("index.json is not an index");
  let entry = pickImage(top.index.manifests, options.ref);
  let document = await readDocument(dir, entry);
  if (document.kind === "index") {
    entry = choosePlatform(document.index.manifests, options.platform);
    document = await readDocument(dir, entry);
  }
  if (document.kind !== "manifest") throw new PlashError("an index lists another index");
  const { manifest } = document;
  checkLayerCount(manifest.layers.length);
  for (const layer of manifest.layers) {
    if (!isLayerType(layer.mediaType)) {
      throw new PlashError(`layer ${layer.digest}: unknown media type ${layer.mediaType}`);
    }
  }
  const configBytes = await readSmallFile(blobPath(dir, manifest.config), manifest.config);
  const config = parseImageConfig(configBytes);
  const diffIds = diffIdsOf(config, manifest.layers.length);
  return await installImage(store, {
    label: `importing ${options.ref ?? shortDigest(entry.digest)}`,
    configDigest: await digestOf(configBytes),
    config: imageConfigOf(config),
    layers: manifest.layers.map((layer, i) => ({
      name: shortDigest(layer.digest),
      digest: layer.digest,
      size: layer.size,
      diffId: diffIds[i],
      open: async () => (await Deno.open(blobPath(dir, layer))).readable,
    })),
    keys: [KEYS.dockerManifest(entry.digest)],
  }, signal);
}

/** The entry of the layout's index named `ref`, or its only one. */
function pickImage(manifests: Descriptor[], ref: string | undefined): Descriptor {
  const names = manifests.flatMap((entry) => entry.annotations?.[REF_NAME] ?? []);
  if (ref !== undefined) {
    const found = manifests.find((entry) => entry.annotations?.[REF_NAME] === ref);
    if (found) return found;
    throw new PlashError(
      `no image named ${ref}; the layout has: ${names.join(", ") || "no names"}`,
    );
  }
  return onlyImage(manifests, names);
}

async function readDocument(dir: string, entry: Descriptor): Promise<ManifestDocument> {
  return parseManifest(await readSmallFile(blobPath(dir, entry), entry), entry.mediaType);
}

function blobPath(dir: string, descriptor: Descriptor): string {
  return fileInside(dir, `blobs/sha256/${descriptor.digest.slice("sha256:".length)}`, "blob");
}
