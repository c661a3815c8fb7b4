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
import { shortDigest } from "../digest.ts";
import { checkLayerCount, installImage } from "../install_image.ts";
import { imageConfigOf } from "../oci/image_config.ts";
import { diffIdsOf, parseImageConfig } from "../oci/manifest.ts";
import { isLayerType } from "../oci/media_types.ts";
import { choosePlatform, platformName, wantedPlatform } from "../oci/platform.ts";
import { RegistryClient } from "./client.ts";
import { formatReference, parseReference, referenceKey } from "./reference.ts";
import { Repository } from "./repository.ts";

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
    const repository = new Repository(client, ref.repository);
    const wanted = wantedPlatform(options.architecture, options.variant);
    let { document, digest, bytes, mediaType } = await repository.manifest(ref.digest ?? ref.tag!);
    if (ref.digest !== undefined && digest !== ref.digest) {
      throw new PlashError(`manifest digest mismatch: got ${digest}`);
    }
    if (document.kind === "index") {
      const entry = choosePlatform(document.index.manifests, wanted);
      ({ document, digest, bytes, mediaType } = await repository.manifest(entry.digest));
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
    const configBytes = await repository.config(manifest.config);
    const config = parseImageConfig(configBytes);
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
        mediaType: layer.mediaType,
        diffId: diffIds[i],
        open: () => repository.blob(layer, "blob"),
      })),
      keys,
      pulled: {
        manifest: bytes,
        mediaType,
        config: configBytes,
        repository: `${ref.registry}/${ref.repository}`,
      },
    }, signal);
  } catch (error) {
    signal.throwIfAborted();
    throw wrap(error, `import-docker ${name}`);
  }
}
