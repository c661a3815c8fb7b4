/**
 * Images in and out of the store: tar archives, URLs, registries (pull and
 * push), OCI layouts, docker archives and LXC's image server.
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { exportTar, importTar } from "@plash/plash/images";
 * import { Store } from "@plash/plash/store";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const layer = store.makeTmpDir();
 * Deno.writeTextFileSync(`${layer}/hello`, "hi\n");
 * const id = store.addLayer(0, layer);
 * const copy = await importTar(store, exportTar(store, id)); // `plash export-tar | plash import-tar -`
 * assert.equal(Deno.readTextFileSync(`${store.layer(copy)}/hello`), "hi\n");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

export { importTar } from "./tarball/import_tar.ts";
export { exportTar, exportTarTo } from "./tarball/export_tar.ts";
export type { OutputCompression } from "../tar/compress.ts";
export { importUrl } from "./tarball/import_url.ts";
export { pullImage, type PullOptions } from "./registry/pull.ts";
export { pushImage, type PushOptions } from "./registry/push.ts";
export { importOciLayout, type LayoutOptions } from "./layout/read_layout.ts";
export { importDockerArchive } from "./docker_archive/read_docker_archive.ts";
export { exportOciLayout, type LayoutExportOptions } from "./layout/write_layout.ts";
export {
  type DockerArchiveOptions,
  exportDockerArchive,
} from "./docker_archive/write_docker_archive.ts";
export { type WantedPlatform, wantedPlatform } from "./oci/platform.ts";
export { importLxc } from "./lxc/import_lxc.ts";
export type { ExportedImage } from "./write_blobs.ts";
export type { ExportOptions } from "./store_image.ts";
export type { Descriptor, Platform } from "./oci/manifest.ts";
// The store they take, and the types it names, for the reader of this entry's types.
export type {
  Healthcheck,
  ImageConfig,
  MapEntry,
  Store,
  StoredImage,
  StoreLayout,
} from "../store/mod.ts";
