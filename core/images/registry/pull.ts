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

import { PlashError, reason, wrap } from "../../errors.ts";
import { KEYS } from "../../store/keys.ts";
import type { Store } from "../../store/store.ts";
import { shortDigest } from "../digest.ts";
import { checkLayerCount, installImage } from "../install_image.ts";
import { imageConfigOf } from "../oci/oci_image_config.ts";
import { diffIdsOf, parseImageConfig } from "../oci/manifest.ts";
import { isLayerType } from "../oci/media_types.ts";
import { choosePlatform, platformName, wantedPlatform } from "../oci/platform.ts";
import { RegistryClient } from "./client.ts";
import { parseReference, type Reference, referenceKey } from "./reference.ts";
import {
  loadRegistriesConf,
  pullSources,
  type RegistriesConf,
  shortNameCandidates,
} from "./registries_conf.ts";
import { type FetchedManifest, Repository } from "./repository.ts";

/**
 * How to pull.
 *
 * @example
 * ```ts
 * import type { PullOptions } from "./pull.ts";
 *
 * const options: PullOptions = { architecture: "arm", variant: "v7" }; // --arch arm --variant v7
 * ```
 */
export interface PullOptions {
  /** The architecture to pull from a multi-platform image (`--arch`); the host's by default. */
  architecture?: string;
  /** Its variant (`--variant`), e.g. `v7` for arm. */
  variant?: string;
  /** Allow plain HTTP to a registry not on this machine (`--insecure`). */
  insecure?: boolean;
}

/**
 * Pulls the image `text` names into `store` and returns its id. A short
 * name (`alpine`) is tried as each full name registries.conf gives it (its
 * alias, else each search registry), the first that has it wins; a full
 * name is pulled from its registry's mirrors first, then from the registry
 * (see `registries_conf.ts`). Errors are one line naming the reference and
 * what failed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pullImage } from "./pull.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * // From Docker Hub (or registries.conf's registries), this machine's platform:
 * //   const id = await pullImage(store, "debian:12", {}, signal);
 * // None listens on port 1: one line naming the reference.
 * const signal = AbortSignal.timeout(60_000);
 * await assert.rejects(pullImage(store, "127.0.0.1:1/app:1", {}, signal), /127\.0\.0\.1:1/);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export async function pullImage(
  store: Store,
  text: string,
  options: PullOptions,
  signal: AbortSignal,
): Promise<number> {
  const conf = await loadRegistriesConf();
  let candidates: string[];
  try {
    candidates = shortNameCandidates(conf, text);
  } catch (error) {
    throw wrap(error, `import-docker ${text}`);
  }
  if (candidates.length === 0) {
    throw new PlashError(
      `import-docker ${text}: a short name, and no unqualified-search-registries in ` +
        (conf.files.join(", ") || "registries.conf"),
    );
  }
  const tried: string[] = [];
  for (const candidate of candidates) {
    let found: Found;
    try {
      found = await findManifest(conf, parseReference(candidate), options, signal);
    } catch (error) {
      signal.throwIfAborted();
      // One name: its own error, as it always was; several: each one's.
      if (candidates.length === 1) throw wrap(error, `import-docker ${candidate}`);
      tried.push(`${candidate}: ${reason(error)}`);
      continue;
    }
    try {
      return await install(store, candidate, found, options, signal);
    } catch (error) {
      signal.throwIfAborted();
      throw wrap(error, `import-docker ${candidate}`);
    }
  }
  throw new PlashError(`import-docker ${text}: tried ${tried.join("; ")}`);
}

/** The manifest a reference names, and the repository it came from. */
interface Found extends FetchedManifest {
  repository: Repository;
  /** The repository in full (`registry/name`) that has its blobs. */
  source: string;
}

/**
 * The manifest of `ref` from the first of its pull sources that has it: a
 * mirror that fails is passed over, the registry's own failure is the error.
 */
async function findManifest(
  conf: RegistriesConf,
  ref: Reference,
  options: PullOptions,
  signal: AbortSignal,
): Promise<Found> {
  const sources = pullSources(conf, ref);
  for (const [i, source] of sources.entries()) {
    const insecure = options.insecure || source.insecure;
    // Each source's client asks for that source's own credentials.
    const client = new RegistryClient(source.ref.registry, { insecure, signal });
    const repository = new Repository(client, source.ref.repository);
    try {
      const fetched = await repository.manifest(ref.digest ?? ref.tag!);
      return { ...fetched, repository, source: `${source.ref.registry}/${source.ref.repository}` };
    } catch (error) {
      signal.throwIfAborted();
      if (i === sources.length - 1) throw error;
    }
  }
  throw new PlashError("no pull source"); // pullSources always ends with the registry
}

/** Pulls what `found` describes as `name` (the reference in full) into `store`. */
async function install(
  store: Store,
  name: string,
  found: Found,
  options: PullOptions,
  signal: AbortSignal,
): Promise<number> {
  const ref = parseReference(name);
  const { repository } = found;
  let { document, digest, bytes, mediaType } = found;
  const wanted = wantedPlatform(options.architecture, options.variant);
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
  if (options.architecture && config.architecture && config.architecture !== wanted.architecture) {
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
    pulled: { manifest: bytes, mediaType, config: configBytes, repository: found.source },
  }, signal);
}
