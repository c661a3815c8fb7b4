/**
 * `plash export-oci`: an image as an OCI image layout (`oci-layout`,
 * `index.json`, `blobs/sha256/...`), the format `skopeo copy oci:DIR`,
 * `umoci` and `podman load` read; a directory, or a tar of one when the
 * path ends in `.tar`.
 *
 * Nothing is half-written at the path: the layout is staged in the store
 * and renamed (or copied beside, then renamed) into place, a tar is written
 * beside it and renamed. An existing layout gets the image added, as
 * skopeo and umoci add to one: its blobs are renamed in whole, then a new
 * `index.json` replaces the old one, where an entry with the same ref name
 * (or, without `--ref`, an unnamed one) is replaced.
 *
 * @example
 * ```ts
 * import { exportOciLayout } from "./write_layout.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const id = store.addLayer(0, store.makeTmpDir());
 * await exportOciLayout(store, id, `${dir}/app-oci`, { ref: "app:1" });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { PlashError, wrap } from "../../errors.ts";
import type { Store } from "../../store/store.ts";
import { removeTree } from "../../store/tmp.ts";
import { writeArchive } from "../../tar/write_archive.ts";
import { type Descriptor, parseManifest } from "../oci/manifest.ts";
import { OCI_INDEX } from "../oci/media_types.ts";
import { BlobDir } from "../blob_dir.ts";
import { type ExportOptions, storeImage } from "../store_image.ts";
import type { OutgoingImage } from "../outgoing_image.ts";
import { type ExportedImage, mtimeOf, writeBlobs, type WriteOptions } from "../write_blobs.ts";
import { packDirectory } from "../pack_dir.ts";
import { publishDirectory } from "../publish_dir.ts";

/** The annotation naming an image of a layout. */
export const REF_NAME = "org.opencontainers.image.ref.name";
const LAYOUT_FILE = '{"imageLayoutVersion":"1.0.0"}';

/**
 * How to export a layout.
 *
 * @example
 * ```ts
 * import type { LayoutExportOptions } from "./write_layout.ts";
 *
 * const options: LayoutExportOptions = { ref: "app:1", compression: "gzip" }; // --ref app:1
 * ```
 */
export interface LayoutExportOptions extends ExportOptions {
  /** The image's ref name annotation (`skopeo copy oci:DIR:NAME` finds it by it). */
  ref?: string;
}

/**
 * Writes image `id` as an OCI image layout at `target` (a tar when it ends
 * in `.tar`); returns what was exported. Errors read `export-oci TARGET: why`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exportOciLayout } from "./write_layout.ts";
 * import { importOciLayout } from "./read_layout.ts";
 * import { wantedPlatform } from "../oci/platform.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const layer = store.makeTmpDir();
 * Deno.writeTextFileSync(`${layer}/hello`, "hi\n");
 * const dir = Deno.makeTempDirSync();
 * const layout = `${dir}/app-oci`;
 * await exportOciLayout(store, store.addLayer(0, layer), layout, { ref: "app:1" });
 * const options = { ref: "app:1", platform: wantedPlatform() };
 * const id = await importOciLayout(store, layout, options, AbortSignal.timeout(60_000));
 * const names = (layer: string) => [...Deno.readDirSync(layer)].map((entry) => entry.name);
 * // Its files in its layer, and its config in a layer of config only
 * assert.deepEqual(store.layersOf(store.chain(id)).flatMap(names), ["hello"]);
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function exportOciLayout(
  store: Store,
  id: number,
  target: string,
  options: LayoutExportOptions = {},
): Promise<ExportedImage> {
  const stage = store.makeTmpDir();
  try {
    const image = storeImage(store, id, options);
    return await writeOciLayout(image, target, {
      ...options,
      stage,
      title: `exporting image ${id}`,
    });
  } catch (error) {
    throw wrap(error, `export-oci ${target}`);
  } finally {
    removeTree(stage);
  }
}

/** How to write a layout. */
export interface LayoutWriteOptions extends WriteOptions {
  /** The image's ref name annotation (`skopeo copy oci:DIR:NAME` finds it by it). */
  ref?: string;
  /** An empty directory to stage the layout in, which the caller removes. */
  stage: string;
}

/**
 * Writes `image` as an OCI image layout at `target` (a tar when it ends in
 * `.tar`), as the module documentation says; returns what was written.
 *
 * @example
 * ```ts
 * import { writeOciLayout } from "./write_layout.ts";
 * import { storeImage } from "../store_image.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const id = store.addLayer(0, store.makeTmpDir());
 * const stage = store.makeTmpDir();
 * await writeOciLayout(storeImage(store, id), `${dir}/app.tar`, { stage, title: "exporting" });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function writeOciLayout(
  image: OutgoingImage,
  target: string,
  options: LayoutWriteOptions,
): Promise<ExportedImage> {
  if (target.endsWith(".tar")) {
    const blobs = BlobDir.create(`${options.stage}/layout`);
    const written = await writeBlobs(image, blobs, options);
    writeIndex(blobs.root, [entryOf(written, options.ref)]);
    await writeArchive(() => packDirectory(blobs.root, mtimeOf(written)), target);
    return written;
  }
  if (isLayout(target)) return await addToLayout(image, target, options);
  const blobs = BlobDir.create(`${options.stage}/layout`);
  const written = await writeBlobs(image, blobs, options);
  writeIndex(blobs.root, [entryOf(written, options.ref)]);
  try {
    publishDirectory(blobs.root, target);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists || isNotEmpty(error)) {
      throw new PlashError("it exists and is not an OCI image layout", { cause: error });
    }
    throw error;
  }
  return written;
}

/** Adds `outgoing` to the layout at `dir`; see the module documentation. */
async function addToLayout(
  outgoing: OutgoingImage,
  dir: string,
  options: LayoutWriteOptions,
): Promise<ExportedImage> {
  const top = parseManifest(Deno.readFileSync(`${dir}/index.json`), OCI_INDEX);
  if (top.kind !== "index") throw new PlashError("index.json is not an index");
  const image = await writeBlobs(outgoing, BlobDir.create(dir), options);
  const kept = top.index.manifests.filter((entry) => entry.annotations?.[REF_NAME] !== options.ref);
  writeIndex(dir, [...kept, entryOf(image, options.ref)]);
  return image;
}

/** The index entry of `image`, named `ref` when given. */
function entryOf(image: ExportedImage, ref: string | undefined): Descriptor {
  const { mediaType, digest, size } = image.manifest;
  return { mediaType, digest, size, ...(ref ? { annotations: { [REF_NAME]: ref } } : {}) };
}

/** Writes `oci-layout` (when missing) and `index.json` listing `manifests`, each renamed into place. */
function writeIndex(dir: string, manifests: Descriptor[]): void {
  const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests };
  for (const [name, text] of [["oci-layout", LAYOUT_FILE], ["index.json", JSON.stringify(index)]]) {
    const partial = `${dir}/.${name}.plash-partial-${Deno.pid}`;
    Deno.writeTextFileSync(partial, text + "\n", { mode: 0o644 });
    Deno.renameSync(partial, `${dir}/${name}`);
  }
}

/** Whether `path` is a directory holding an OCI image layout. */
function isLayout(path: string): boolean {
  try {
    return Deno.statSync(`${path}/oci-layout`).isFile && Deno.statSync(`${path}/index.json`).isFile;
  } catch {
    return false;
  }
}

function isNotEmpty(error: unknown): boolean {
  return error instanceof Error && "code" in error &&
    (error.code === "ENOTEMPTY" || error.code === "EEXIST" || error.code === "ENOTDIR");
}
