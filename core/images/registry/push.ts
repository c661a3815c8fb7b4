/**
 * `plash push ID REF`: an image uploaded to a registry, its manifest last,
 * so that the tag names it only once every blob is there.
 *
 * Each layer that holds files goes up once, three at a time, with the pull
 * progress display: a blob the registry is known to have (see
 * `blob_notes.ts`: pulled from it, or pushed before) is asked for with HEAD
 * and not sent, or mounted from the repository that has it; any other layer
 * is packed, compressed and streamed up as it is made (its digest is known
 * only at its end, so it is not staged on disk to be asked for first), and
 * noted. Then the config and the manifest.
 *
 * An image pulled from this registry and pushed unchanged keeps its digest:
 * its layers are the blobs it was pulled as, and its manifest and config
 * the bytes it was pulled with. Elsewhere plash has no such blobs (it
 * unpacks layers and keeps no compressed copy): it packs the layers anew,
 * so their digests, and the image's, change; once pushed, those are known
 * too.
 *
 * @module
 */

import { PlashError, wrap } from "../../errors.ts";
import type { Store } from "../../store/store.ts";
import type { OutputCompression } from "../../tar/compress.ts";
import { knownBlobs, type LayerBlobInfo, pulledManifest, rememberBlob } from "../blob_notes.ts";
import { digestOf } from "../digest.ts";
import { type ExportOptions, ociManifest } from "../export/export_image.ts";
import { type ImageLayer, imageLayers } from "../export/image_layers.ts";
import { layerBlobStream } from "../export/layer_blob.ts";
import { ociImageConfig } from "../export/oci_config.ts";
import { runLimited } from "../limiter.ts";
import type { Descriptor } from "../oci/manifest.ts";
import { layerType, OCI_CONFIG, OCI_MANIFEST, ociLayerType } from "../oci/media_types.ts";
import { wantedPlatform } from "../oci/platform.ts";
import { type Progress, startProgress } from "../progress.ts";
import { RegistryClient } from "./client.ts";
import { formatReference, parseReference } from "./reference.ts";
import { Uploader } from "./upload.ts";

/**
 * How to push.
 *
 * @example
 * ```ts
 * import type { PushOptions } from "./push.ts";
 *
 * // A registry on another machine over plain HTTP, layers compressed with zstd
 * const options: PushOptions = { insecure: true, compression: "zstd" };
 * ```
 */
export interface PushOptions extends ExportOptions {
  /** Allow plain HTTP to a registry not on this machine (`--insecure`). */
  insecure?: boolean;
}

/** How many layers go up at once. */
const PARALLEL = 3;

/**
 * Pushes image `id` of `store` as `text` (`host/name:tag`) and returns the
 * manifest's digest. Errors are one line naming the reference.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pushImage } from "./push.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * // With a registry at 127.0.0.1:5000: the manifest's digest, `sha256:...`.
 * //   const digest = await pushImage(store, id, "127.0.0.1:5000/app:1", {}, signal);
 * // None listens on port 1: one line naming the reference.
 * const signal = AbortSignal.timeout(60_000);
 * await assert.rejects(pushImage(store, id, "127.0.0.1:1/app:1", {}, signal), /127\.0\.0\.1:1/);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export async function pushImage(
  store: Store,
  id: number,
  text: string,
  options: PushOptions,
  signal: AbortSignal,
): Promise<string> {
  const ref = parseReference(text);
  const name = formatReference(ref);
  try {
    const layers = imageLayers(store, id, options.base);
    const client = new RegistryClient(ref.registry, { insecure: options.insecure, signal });
    const push = new LayerPush(store, new Uploader(client, ref.repository), {
      registry: ref.registry,
      repository: ref.repository,
      compression: options.compression ?? "gzip",
      signal,
    });
    const progress = startProgress(`pushing ${name}`);
    let pushed: PushedLayer[];
    try {
      const filled = layers.filter((layer) => !layer.empty);
      pushed = await runLimited(filled, PARALLEL, signal, (layer) => push.layer(layer, progress));
    } finally {
      progress.finish();
    }
    const { config, manifest, from } = await imageDocuments(store, id, layers, pushed, options);
    await push.bytes(config, from);
    const digest = await digestOf(manifest.bytes);
    if (ref.digest !== undefined && ref.digest !== digest) {
      throw new PlashError(`the image's manifest is ${digest}, not the digest given`);
    }
    const reference = ref.digest ?? ref.tag!;
    await push.uploads.putManifest(reference, manifest.bytes, manifest.mediaType, digest);
    return digest;
  } catch (error) {
    signal.throwIfAborted();
    throw wrap(error, `push ${name}`);
  }
}

/** A layer in the registry: its blob, and whether it is the blob it was pulled as. */
interface PushedLayer {
  blob: LayerBlobInfo;
  /** It is a blob plash knew of (pulled, or pushed before), not one it packed now. */
  original: boolean;
}

/** A blob in memory, to push. */
interface Document {
  bytes: Uint8Array<ArrayBuffer>;
  mediaType: string;
}

/** Where the layers go, and how. */
interface Destination {
  registry: string;
  repository: string;
  compression: OutputCompression;
  signal: AbortSignal;
}

/** Pushes the layers of images to one repository. */
export class LayerPush {
  /** The uploads to the repository. */
  readonly uploads: Uploader;
  readonly #store: Store;
  readonly #to: Destination;

  constructor(store: Store, uploads: Uploader, to: Destination) {
    this.#store = store;
    this.uploads = uploads;
    this.#to = to;
  }

  /** `registry/repository` of the destination, as blob notes name it. */
  get #here(): string {
    return `${this.#to.registry}/${this.#to.repository}`;
  }

  /**
   * Puts `layer` in the repository: a blob of it the repository has (or
   * can mount) is not sent; otherwise it is packed, compressed and streamed
   * up. Either way the note says the repository has it.
   */
  async layer(layer: ImageLayer, progress: Progress): Promise<PushedLayer> {
    const name = `layer of image ${layer.id}`;
    const item = progress.item(name);
    const wanted = layerType(this.#to.compression);
    const known = knownBlobs(this.#store, layer.id)
      .filter((blob) => ociLayerType(blob.mediaType) === wanted);
    for (const blob of known) {
      if (await this.#reuse(blob)) {
        item.done();
        rememberBlob(this.#store, layer.id, blob, this.#here);
        return { blob, original: true };
      }
    }
    const made = await layerBlobStream(layer.dir, this.#to.compression, undefined, this.#to.signal);
    const { digest, size } = await this.uploads.upload(made.stream, name, item);
    const blob = { digest, size, mediaType: wanted, diffId: made.diffId() };
    rememberBlob(this.#store, layer.id, blob, this.#here);
    return { blob, original: false };
  }

  /**
   * Whether blob `digest` is in the repository, or was mounted into it from
   * one of `repositories` (`registry/repository`, the latest last) on the
   * same registry.
   */
  async #reuse({ digest, repositories }: { digest: string; repositories: string[] }) {
    if (await this.uploads.has(digest)) return true;
    const prefix = `${this.#to.registry}/`;
    for (const repository of repositories.toReversed()) {
      if (!repository.startsWith(prefix) || repository === this.#here) continue;
      if (await this.uploads.mount(digest, repository.slice(prefix.length))) return true;
    }
    return false;
  }

  /**
   * Puts a small blob, unless the repository has it or can mount it from one
   * of `repositories` (`registry/repository`).
   */
  async bytes(document: Document, repositories: string[] = []): Promise<void> {
    const digest = await digestOf(document.bytes);
    if (await this.#reuse({ digest, repositories })) return;
    await this.uploads.upload(
      ReadableStream.from([document.bytes]),
      "the config",
      undefined,
      digest,
    );
  }
}

/**
 * The config and manifest of the pushed image. An image pulled and pushed
 * unchanged (all of it, its blobs the pulled ones) gets the manifest and
 * config it was pulled with; one whose layers were packed anew gets the
 * pulled config with their diff_ids; any other, its plash config made an
 * OCI config.
 */
async function imageDocuments(
  store: Store,
  id: number,
  layers: ImageLayer[],
  pushed: PushedLayer[],
  options: PushOptions,
): Promise<{ config: Document; manifest: Document; from?: string[] }> {
  const pulled = (options.base ?? 0) === 0 ? pulledManifest(store, id) : undefined;
  const descriptors = pushed.map(({ blob }) => ({
    mediaType: blob.mediaType,
    digest: blob.digest,
    size: blob.size,
  }));
  if (pulled) {
    const reused = reusePulled(pulled.manifest, pulled.config, pushed);
    if (reused === "whole") {
      return {
        config: { bytes: new Uint8Array(pulled.config), mediaType: OCI_CONFIG },
        manifest: { bytes: new Uint8Array(pulled.manifest), mediaType: pulled.mediaType },
        from: [pulled.repository],
      };
    }
    if (reused) return await documentsOf(reused, descriptors);
  }
  const { document, warning } = ociImageConfig({
    config: store.config(id),
    layers,
    diffIds: pushed.map(({ blob }) => blob.diffId),
    platform: options.platform ?? wantedPlatform(),
  });
  if (warning) console.error(`plash warning: image ${id}: ${warning}`);
  return await documentsOf(document, descriptors);
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
  pushed: PushedLayer[],
): "whole" | Record<string, unknown> | undefined {
  try {
    const manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
    const config = JSON.parse(new TextDecoder().decode(configBytes));
    const listed: string[] = manifest.layers.map((layer: Descriptor) => layer.digest);
    if (listed.length !== pushed.length || !Array.isArray(config.rootfs?.diff_ids)) {
      return undefined;
    }
    if (pushed.every(({ blob, original }, i) => original && blob.digest === listed[i])) {
      return "whole";
    }
    return { ...config, rootfs: { ...config.rootfs, diff_ids: pushed.map((p) => p.blob.diffId) } };
  } catch {
    return undefined; // a note plash cannot read: the plash config serves
  }
}

/** The config blob of `config` and the OCI manifest listing it and `layers`. */
async function documentsOf(
  config: Record<string, unknown>,
  layers: Descriptor[],
): Promise<{ config: Document; manifest: Document }> {
  const configBytes = new TextEncoder().encode(JSON.stringify(config));
  const configDescriptor = {
    mediaType: OCI_CONFIG,
    digest: await digestOf(configBytes),
    size: configBytes.length,
  };
  const manifest = new TextEncoder().encode(JSON.stringify(ociManifest(configDescriptor, layers)));
  return {
    config: { bytes: configBytes, mediaType: OCI_CONFIG },
    manifest: { bytes: manifest, mediaType: OCI_MANIFEST },
  };
}
