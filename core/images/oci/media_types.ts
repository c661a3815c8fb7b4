/**
 * The media types of OCI and docker images that plash reads.
 *
 * @module
 */

import type { OutputCompression } from "../../tar/compress.ts";

/** An OCI image index: manifests by platform. */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** An OCI image manifest: a config and layers. */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
/** Docker's manifest list, the same as an OCI index. */
export const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
/** Docker's schema 2 manifest, the same as an OCI manifest. */
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

/** An OCI image config. */
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
/** An OCI layer, an uncompressed tar; `+gzip` and `+zstd` for compressed ones. */
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";

/** What plash asks a registry for, in its order of preference. */
export const MANIFEST_TYPES = [OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST];

/** Whether `type` is a list of manifests by platform. */
export function isIndexType(type: string): boolean {
  return type === OCI_INDEX || type === DOCKER_LIST;
}

/** Whether `type` is one image's manifest. */
export function isManifestType(type: string): boolean {
  return type === OCI_MANIFEST || type === DOCKER_MANIFEST;
}

/**
 * The layer types plash unpacks: plain, gzip or zstd tar (told apart by
 * content when unpacked). Docker's "foreign" layers (Windows base layers
 * fetched from elsewhere) are not among them.
 */
const LAYER_TYPES = new Set([
  "application/vnd.oci.image.layer.v1.tar",
  "application/vnd.oci.image.layer.v1.tar+gzip",
  "application/vnd.oci.image.layer.v1.tar+zstd",
  "application/vnd.oci.image.layer.nondistributable.v1.tar",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
  "application/vnd.docker.image.rootfs.diff.tar",
  "application/vnd.docker.image.rootfs.diff.tar.gzip",
  "application/vnd.docker.image.rootfs.diff.tar.zstd",
]);

/** Whether plash can unpack a layer of media type `type`. */
export function isLayerType(type: string): boolean {
  return LAYER_TYPES.has(type);
}

/**
 * The OCI layer type of a layer compressed with `compression` (as
 * `tar/compress.ts` names them).
 *
 * @example
 * ```ts
 * import { layerType } from "./media_types.ts";
 *
 * layerType("gzip"); // "application/vnd.oci.image.layer.v1.tar+gzip"
 * ```
 */
export function layerType(compression: OutputCompression): string {
  return compression === "none" ? OCI_LAYER : `${OCI_LAYER}+${compression}`;
}

/**
 * The OCI name of layer type `type`: docker's names for the same bytes
 * (`...rootfs.diff.tar.gzip`) become OCI's, so that an OCI manifest lists
 * a layer pulled under docker's name.
 *
 * @example
 * ```ts
 * import { ociLayerType } from "./media_types.ts";
 *
 * ociLayerType("application/vnd.docker.image.rootfs.diff.tar.gzip"); // "...layer.v1.tar+gzip"
 * ```
 */
export function ociLayerType(type: string): string {
  const docker = type.match(
    /^application\/vnd\.docker\.image\.rootfs\.diff\.tar(?:\.(gzip|zstd))?$/,
  );
  if (!docker) return type;
  return layerType((docker[1] ?? "none") as OutputCompression);
}
