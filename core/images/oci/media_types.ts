/**
 * The media types of OCI and docker images that plash reads.
 *
 * @module
 */

/** An OCI image index: manifests by platform. */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** An OCI image manifest: a config and layers. */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
/** Docker's manifest list, the same as an OCI index. */
export const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
/** Docker's schema 2 manifest, the same as an OCI manifest. */
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

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
