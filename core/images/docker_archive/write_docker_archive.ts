/**
 * `plash export-docker-archive`: an image as `docker save` writes one, for
 * `docker load` and `podman load`: a tar holding `manifest.json` (the
 * config's file, the image's tags, its layer files) and the blobs under
 * `blobs/sha256/`, as docker 25 and later name them. Layers are plain tars
 * unless `--compress` says otherwise, as `docker save` writes them.
 *
 * The archive is written beside its path and renamed (or streamed to
 * stdout): a failure leaves nothing at the path.
 *
 * @example
 * ```ts
 * import { exportDockerArchive } from "./write_docker_archive.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const id = store.addLayer(0, store.makeTmpDir());
 * await exportDockerArchive(store, id, `${dir}/app.tar`, { ref: "app:1" });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { PlashError, wrap } from "../../errors.ts";
import type { Store } from "../../store/store.ts";
import { removeTree } from "../../store/tmp.ts";
import { writeArchive } from "../../tar/write_archive.ts";
import { parseReference } from "../registry/reference.ts";
import { BlobDir } from "../blob_dir.ts";
import { type ExportOptions, storeImage } from "../store_image.ts";
import type { OutgoingImage } from "../outgoing_image.ts";
import { type ExportedImage, mtimeOf, writeBlobs, type WriteOptions } from "../write_blobs.ts";
import { packDirectory } from "../pack_dir.ts";

/**
 * How to export a docker archive.
 *
 * @example
 * ```ts
 * import type { DockerArchiveOptions } from "./write_docker_archive.ts";
 *
 * const options: DockerArchiveOptions = { ref: "app:1" }; // `docker load` tags it app:1
 * ```
 */
export interface DockerArchiveOptions extends ExportOptions {
  /** The image's tag (`NAME[:TAG]`, `:latest` when none); untagged without it. */
  ref?: string;
}

/**
 * Writes image `id` as a docker archive to `target` (a file, or "-" for
 * stdout); returns what was exported. Errors read
 * `export-docker-archive TARGET: why`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exportDockerArchive } from "./write_docker_archive.ts";
 * import { importDockerArchive } from "./read_docker_archive.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const layer = store.makeTmpDir();
 * Deno.writeTextFileSync(`${layer}/hello`, "hi\n");
 * const dir = Deno.makeTempDirSync();
 * const archive = `${dir}/app.tar`;
 * await exportDockerArchive(store, store.addLayer(0, layer), archive, { ref: "app:1" });
 * const id = await importDockerArchive(store, archive, "app:1", AbortSignal.timeout(60_000));
 * const names = (layer: string) => [...Deno.readDirSync(layer)].map((entry) => entry.name);
 * // Its files in its layer, and its config in a layer of config only
 * assert.deepEqual(store.layersOf(store.chain(id)).flatMap(names), ["hello"]);
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function exportDockerArchive(
  store: Store,
  id: number,
  target: string,
  options: DockerArchiveOptions = {},
): Promise<ExportedImage> {
  const what = `export-docker-archive ${target === "-" ? "stdout" : target}`;
  let tag: string | undefined;
  try {
    tag = options.ref === undefined ? undefined : dockerTag(options.ref);
  } catch (error) {
    throw wrap(error, what);
  }
  const stage = store.makeTmpDir();
  try {
    const image = storeImage(store, id, options);
    return await writeDockerArchive(image, target, {
      compression: "none",
      ...options,
      tag,
      stage,
      title: `exporting image ${id}`,
    });
  } catch (error) {
    throw wrap(error, what);
  } finally {
    removeTree(stage);
  }
}

/** How to write a docker archive. */
export interface DockerArchiveWriteOptions extends WriteOptions {
  /** The image's tag (`NAME:TAG`); untagged without it. */
  tag?: string;
  /** An empty directory to stage the archive's files in, which the caller removes. */
  stage: string;
}

/**
 * Writes `image` as a docker archive to `target` (a file, or "-" for
 * stdout); returns what was written.
 *
 * @example
 * ```ts
 * import { writeDockerArchive } from "./write_docker_archive.ts";
 * import { storeImage } from "../store_image.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const id = store.addLayer(0, store.makeTmpDir());
 * const stage = store.makeTmpDir();
 * await writeDockerArchive(storeImage(store, id), `${dir}/app.tar`, { stage, title: "exporting" });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function writeDockerArchive(
  image: OutgoingImage,
  target: string,
  options: DockerArchiveWriteOptions,
): Promise<ExportedImage> {
  const blobs = BlobDir.create(`${options.stage}/archive`);
  const written = await writeBlobs(image, blobs, options);
  const manifest = [{
    Config: blobs.name(written.config.digest),
    RepoTags: options.tag === undefined ? null : [options.tag],
    Layers: written.layers.map((layer) => blobs.name(layer.digest)),
  }];
  Deno.writeTextFileSync(`${blobs.root}/manifest.json`, JSON.stringify(manifest) + "\n");
  // The manifest blob is an OCI layout's, not docker's.
  Deno.removeSync(blobs.path(written.manifest.digest));
  await writeArchive(() => packDirectory(blobs.root, mtimeOf(written)), target);
  return written;
}

/** `ref` as docker archives tag images: `NAME:TAG`, `:latest` added when it has no tag. */
function dockerTag(ref: string): string {
  const parsed = parseReference(ref);
  if (parsed.digest !== undefined) {
    throw new PlashError(`--ref ${ref}: an archive's tag cannot hold a digest`);
  }
  return /:[\w][\w.-]*$/.test(ref.slice(ref.lastIndexOf("/") + 1)) ? ref : `${ref}:latest`;
}
