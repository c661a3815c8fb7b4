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
 * What goes up is an {@linkcode OutgoingImage}; {@linkcode RegistryWriter}
 * writes one, for a push and for a build's `--cache-to` (`layer_cache.ts`).
 *
 * @module
 */

import { PlashError, wrap } from "../../errors.ts";
import type { Store } from "../../store/store.ts";
import type { OutputCompression } from "../../tar/compress.ts";
import { knownBlobs, rememberBlob } from "../blob_notes.ts";
import { digestOf } from "../digest.ts";
import { runLimited } from "../limiter.ts";
import { layerType, ociLayerType } from "../oci/media_types.ts";
import type { Document, OutgoingImage, OutgoingLayer, WrittenLayer } from "../outgoing_image.ts";
import { type Progress, startProgress } from "../progress.ts";
import { type ExportOptions, storeImage } from "../store_image.ts";
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
    const image = storeImage(store, id, { ...options, keepPulled: true });
    const client = new RegistryClient(ref.registry, { insecure: options.insecure, signal });
    const writer = new RegistryWriter(store, new Uploader(client, ref.repository), {
      registry: ref.registry,
      repository: ref.repository,
      compression: options.compression ?? "gzip",
      signal,
    });
    return await writer.write(image, ref.digest ?? ref.tag!, `pushing ${name}`, ref.digest);
  } catch (error) {
    signal.throwIfAborted();
    throw wrap(error, `push ${name}`);
  }
}

/** Where the layers go, and how. */
interface Destination {
  registry: string;
  repository: string;
  compression: OutputCompression;
  signal: AbortSignal;
}

/** Writes images of a store to one repository of a registry. */
export class RegistryWriter {
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
   * Puts `image` in the repository as `reference` (a tag, or the digest
   * its manifest must have, `digest`) under a progress display titled
   * `title`, its manifest last, so that the tag names it only once every
   * blob is there; returns the manifest's digest.
   */
  async write(
    image: OutgoingImage,
    reference: string,
    title: string,
    digest?: string,
  ): Promise<string> {
    const progress = startProgress(title);
    let written: WrittenLayer[];
    try {
      written = await runLimited(
        image.layers,
        PARALLEL,
        this.#to.signal,
        (layer) => this.#layer(layer, progress),
      );
    } finally {
      progress.finish();
    }
    const { config, manifest, from } = await image.documents(written);
    await this.#bytes(config, from);
    const manifestDigest = await digestOf(manifest.bytes);
    if (digest !== undefined && digest !== manifestDigest) {
      throw new PlashError(`the image's manifest is ${manifestDigest}, not the digest given`);
    }
    await this.uploads.putManifest(reference, manifest.bytes, manifest.mediaType, manifestDigest);
    return manifestDigest;
  }

  /**
   * Puts `layer` in the repository: a blob of it the repository has (or
   * can mount) is not sent; otherwise it is packed, compressed and streamed
   * up. Either way the note says the repository has it.
   */
  async #layer(layer: OutgoingLayer, progress: Progress): Promise<WrittenLayer> {
    const item = progress.item(layer.name);
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
    const made = await layer.open(this.#to.compression, undefined, this.#to.signal);
    const { digest, size } = await this.uploads.upload(made.stream, layer.name, item);
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
  async #bytes(document: Document, repositories: string[] = []): Promise<void> {
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
