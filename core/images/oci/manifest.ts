/**
 * The JSON documents of an OCI or docker image: index (manifest list),
 * manifest and config, checked enough that the rest of plash can trust
 * their shape.
 *
 * @module
 */

import { PlashError, wrap } from "../../errors.ts";
import { checkDigest } from "../digest.ts";
import { isIndexType, isManifestType } from "./media_types.ts";

/**
 * The platform an index entry is for.
 *
 * @example
 * ```ts
 * import type { Platform } from "./manifest.ts";
 *
 * const platform: Platform = { os: "linux", architecture: "arm", variant: "v7" };
 * ```
 */
export interface Platform {
  /** The operating system: `linux`. */
  os: string;
  /** OCI's name of the architecture: `amd64`, `arm64`. */
  architecture: string;
  /** Its variant, when it matters: `v7`. */
  variant?: string;
}

/**
 * A reference to a blob: its type, digest and size.
 *
 * @example
 * ```ts
 * import type { Descriptor } from "./manifest.ts";
 *
 * const layer: Descriptor = {
 *   mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
 *   digest: `sha256:${"0".repeat(64)}`,
 *   size: 32,
 * };
 * ```
 */
export interface Descriptor {
  /** What the blob is: a manifest, a config, a layer and how it is compressed. */
  mediaType: string;
  /** Its digest, `sha256:<hex>`. */
  digest: string;
  /** Its size in bytes. */
  size: number;
  /** The platform of the image it is, in an index. */
  platform?: Platform;
  /** Annotations, such as an image's ref name in a layout's index. */
  annotations?: Record<string, string>;
}

/** An index: one manifest per platform. */
export interface ImageIndex {
  manifests: Descriptor[];
}

/** A manifest: the image's config and its layers, the bottom one first. */
export interface ImageManifest {
  config: Descriptor;
  layers: Descriptor[];
}

/** The part of an image config blob plash reads. */
export interface ImageConfigBlob {
  architecture?: string;
  variant?: string;
  config?: {
    Env?: string[] | null;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    User?: string;
    Labels?: unknown;
    ExposedPorts?: unknown;
    Volumes?: unknown;
    StopSignal?: unknown;
    Healthcheck?: unknown;
    Shell?: unknown;
    OnBuild?: unknown;
  } | null;
  author?: unknown;
  rootfs?: { diff_ids?: unknown };
}

/** A parsed manifest document: an index or one image's manifest. */
export type ManifestDocument =
  | { kind: "index"; index: ImageIndex }
  | { kind: "manifest"; manifest: ImageManifest };

/**
 * Parses `bytes` as an index or a manifest. Its type is `contentType` (a
 * registry's Content-Type header) or else the document's own `mediaType`;
 * an OCI document without either is told by its fields.
 */
export function parseManifest(bytes: Uint8Array, contentType?: string): ManifestDocument {
  const document = parseJson(bytes, "manifest");
  const declared = contentType?.split(";")[0].trim();
  let type = declared && declared !== "application/json" ? declared : document.mediaType;
  if (type === undefined) type = Array.isArray(document.manifests) ? "index" : "manifest";
  if (type === "index" || isIndexType(type)) {
    if (!Array.isArray(document.manifests)) throw new PlashError("index without manifests");
    return { kind: "index", index: { manifests: document.manifests.map(descriptor) } };
  }
  if (type === "manifest" || isManifestType(type)) {
    if (!Array.isArray(document.layers)) throw new PlashError("manifest without layers");
    return {
      kind: "manifest",
      manifest: { config: descriptor(document.config), layers: document.layers.map(descriptor) },
    };
  }
  if (String(type).startsWith("application/vnd.docker.distribution.manifest.v1")) {
    throw new PlashError("docker schema 1 manifests are not supported (deprecated since 2017)");
  }
  throw new PlashError(`unknown manifest media type: ${type}`);
}

/** Parses `bytes` as an image config. */
export function parseImageConfig(bytes: Uint8Array): ImageConfigBlob {
  const config = parseJson(bytes, "image config") as ImageConfigBlob;
  const fields = config.config ?? {};
  for (const name of ["Env", "Entrypoint", "Cmd"] as const) {
    const value = fields[name];
    if (value != null && !(Array.isArray(value) && value.every((v) => typeof v === "string"))) {
      throw new PlashError(`image config: ${name} is not a list of strings`);
    }
  }
  for (const name of ["WorkingDir", "User"] as const) {
    if (fields[name] != null && typeof fields[name] !== "string") {
      throw new PlashError(`image config: ${name} is not a string`);
    }
  }
  return config;
}

/**
 * The config's `rootfs.diff_ids`, the digests of the image's layers as
 * uncompressed tars, one for each of its `layers`: missing ones, a count
 * that is not the layers', or one that is not a sha256 digest fail.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diffIdsOf } from "./manifest.ts";
 *
 * diffIdsOf({ rootfs: { diff_ids: [`sha256:${"a".repeat(64)}`] } }, 1); // the one digest
 * assert.throws(() => diffIdsOf({}, 1), /rootfs.diff_ids lists 0 digests for 1 layers/);
 * ```
 */
export function diffIdsOf(config: ImageConfigBlob, layers: number): string[] {
  const listed = config.rootfs?.diff_ids ?? [];
  try {
    if (!Array.isArray(listed)) throw new PlashError("rootfs.diff_ids is not a list");
    if (listed.length !== layers) {
      throw new PlashError(`rootfs.diff_ids lists ${listed.length} digests for ${layers} layers`);
    }
    return listed.map((diffId) => checkDigest(diffId, "diff_id"));
  } catch (error) {
    throw wrap(error, "image config");
  }
}

// deno-lint-ignore no-explicit-any
function parseJson(bytes: Uint8Array, what: string): Record<string, any> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new PlashError(`${what} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new PlashError(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function descriptor(value: unknown): Descriptor {
  const item = (value ?? {}) as Record<string, unknown>;
  const size = item.size;
  if (typeof item.mediaType !== "string") throw new PlashError("descriptor without mediaType");
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw new PlashError(`descriptor ${String(item.digest)}: bad size`);
  }
  const platform = item.platform as Platform | undefined;
  if (platform !== undefined && (typeof platform?.architecture !== "string")) {
    throw new PlashError(`descriptor ${String(item.digest)}: bad platform`);
  }
  return {
    mediaType: item.mediaType,
    digest: checkDigest(item.digest),
    size,
    platform,
    annotations: item.annotations as Record<string, string> | undefined,
  };
}
