/**
 * Pulling an image from a registry: `plash import-docker REF` and
 * `--from-docker REF`.
 *
 * The manifest is fetched every time (a tag may have moved) and its digest
 * computed; an image whose manifest digest is mapped (`docker:<digest>`) is
 * there already and nothing more is fetched. Otherwise the config, then the
 * missing layers (see `install_image.ts`).
 *
 * @module
 */

import { PlashError, wrap } from "../../errors.ts";
import { KEYS } from "../../store/keys.ts";
import type { Store } from "../../store/store.ts";
import { readBlob, refuseOversized } from "../checked_blob.ts";
import { digestOf, shortDigest } from "../digest.ts";
import { checkLayerCount, installImage } from "../install_image.ts";
import { CONFIG_LIMIT, DOCUMENT_LIMIT } from "../limits.ts";
import { imageConfigOf } from "../oci/image_config.ts";
import {
  type Descriptor,
  diffIdsOf,
  type ManifestDocument,
  parseImageConfig,
  parseManifest,
} from "../oci/manifest.ts";
import { isLayerType, MANIFEST_TYPES } from "../oci/media_types.ts";
import { choosePlatform, platformName, wantedPlatform } from "../oci/platform.ts";
import { RegistryClient } from "./client.ts";
import { formatReference, parseReference, type Reference, referenceKey } from "./reference.ts";

/** How to pull. */
export interface PullOptions {
  /** The architecture to pull from a multi-platform image (`--arch`); the host's by default. */
  architecture?: string;
  /** Its variant (`--variant`), e.g. `v7` for arm. */
  variant?: string;
  /** Allow plain HTTP to a registry not on this machine (`--insecure`). */
  insecure?: boolean;
}

/**
 * Pulls the image `text` names into `store` and returns its id.
 * Errors are one line naming the reference and what failed.
 */
export async function pullImage(
  store: Store,
  text: string,
  options: PullOptions,
  signal: AbortSignal,
): Promise<number> {
  const ref = parseReference(text);
  const name = formatReference(ref);
  try {
    const client = new RegistryClient(ref.registry, { insecure: options.insecure, signal });
    const repository = new Repository(client, ref);
    const wanted = wantedPlatform(options.architecture, options.variant);
    let { document, digest } = await repository.manifest(ref.digest ?? ref.tag!);
    if (ref.digest !== undefined && digest !== ref.digest) {
      throw new PlashError(`manifest digest mismatch: got ${digest}`);
    }
    if (document.kind === "index") {
      const entry = choosePlatform(document.index.manifests, wanted);
      ({ document, digest } = await repository.manifest(entry.digest));
      if (digest !== entry.digest) {
        throw new PlashError(`manifest digest mismatch: got ${digest}, expected ${entry.digest}`);
      }
    }
    if (document.kind !== "manifest") throw new PlashError("an index lists another index");
    const { manifest } = document;
    const keys = [KEYS.dockerManifest(digest)];
    // Builds (`--from-docker`) find the host platform's image by its name.
    if (platformName(wanted) === platformName(wantedPlatform())) keys.push(referenceKey(name));
    const cached = store.getMap(keys[0]);
    if (cached !== undefined) {
      for (const key of keys) store.setMap(key, cached);
      return cached;
    }
    checkLayerCount(manifest.layers.length);
    for (const layer of manifest.layers) {
      if (!isLayerType(layer.mediaType)) {
        throw new PlashError(`layer ${layer.digest}: unknown media type ${layer.mediaType}`);
      }
    }
    const config = parseImageConfig(await repository.config(manifest.config));
    if (
      options.architecture && config.architecture && config.architecture !== wanted.architecture
    ) {
      throw new PlashError(`the image is for ${config.architecture}, not ${wanted.architecture}`);
    }
    const diffIds = diffIdsOf(config, manifest.layers.length);
    return await installImage(store, {
      label: `pulling ${name}`,
      configDigest: manifest.config.digest,
      config: imageConfigOf(config),
      layers: manifest.layers.map((layer, i) => ({
        name: shortDigest(layer.digest),
        digest: layer.digest,
        size: layer.size,
        diffId: diffIds[i],
        open: () => repository.blob(layer, "blob"),
      })),
      keys,
    }, signal);
  } catch (error) {
    signal.throwIfAborted();
    throw wrap(error, `import-docker ${name}`);
  }
}

/** One repository of a registry. */
class Repository {
  readonly #client: RegistryClient;
  readonly #ref: Reference;
  readonly #scope: string;

  constructor(client: RegistryClient, ref: Reference) {
    this.#client = client;
    this.#ref = ref;
    this.#scope = `repository:${ref.repository}:pull`;
  }

  /** The manifest (or index) that `reference` (a tag or digest) names, and its digest. */
  async manifest(reference: string): Promise<{ document: ManifestDocument; digest: string }> {
    const path = `/v2/${this.#ref.repository}/manifests/${reference}`;
    const what = `manifest ${reference}`;
    const response = await this.#client.get(path, this.#scope, what, [...MANIFEST_TYPES]);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await readBlob(response.body!, { limit: DOCUMENT_LIMIT });
    } catch (error) {
      throw wrap(error, what);
    }
    const document = parseManifest(bytes, response.headers.get("content-type") ?? undefined);
    return { document, digest: await digestOf(bytes) };
  }

  /** A blob's bytes as they stream (checked by whoever reads them); errors call it `what`. */
  async blob(descriptor: Descriptor, what: string): Promise<ReadableStream<Uint8Array>> {
    const path = `/v2/${this.#ref.repository}/blobs/${descriptor.digest}`;
    return (await this.#client.get(path, this.#scope, what)).body!;
  }

  /** The config blob's bytes, checked; one declared above the cap is not asked for. */
  async config(descriptor: Descriptor): Promise<Uint8Array<ArrayBuffer>> {
    const what = `config ${descriptor.digest}`;
    const expected = { ...descriptor, limit: CONFIG_LIMIT };
    try {
      refuseOversized(expected);
    } catch (error) {
      throw wrap(error, what);
    }
    // The request's own errors name the config already.
    const stream = await this.blob(descriptor, what);
    try {
      return await readBlob(stream, expected);
    } catch (error) {
      throw wrap(error, what);
    }
  }
}
