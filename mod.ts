/**
 * plash as a library: the image store, the container runtime, builds from
 * macros, image imports and exports (OCI layouts, docker archives, registry
 * pushes) and the tar archives, as the `plash` command uses them.
 *
 * A {@linkcode Store} is a data directory of images. Images are numbers; 0 is
 * the empty root every image stands on, and an image is its layer on its
 * parent. The functions here take the store they act on: nothing reads
 * `$PLASH_DATA` but {@linkcode Store.open} (an existing store) and
 * {@linkcode Store.create} (`plash init`'s) when they are given no directory.
 *
 * ```ts
 * import { build, runContainer, Store } from "./mod.ts";
 *
 * const store = Store.open(); // $PLASH_DATA, default ~/.plashdata, made by `plash init`
 * const layer = store.makeTmpDir();
 * Deno.writeTextFileSync(`${layer}/hello`, "hi\n");
 * const id = store.addLayer(1, layer); // a new image on image 1
 * const built = await build(store, ["--from-id", String(id), "--run", "touch /built"]);
 * await runContainer({ store, id: built, command: ["ls", "/"] }); // replaces this process
 * ```
 *
 * Everything that mounts (running, creating, building) needs root, as the
 * kernel does: without root, {@linkcode runImage} runs the container in a
 * child that enters a user namespace, and plash's other commands enter one
 * first ({@linkcode runInUserNamespace}). A container is a spec
 * ({@linkcode containerSpec}) that devices' edits change
 * ({@linkcode applyEdits}, or `RunSpec.edits`).
 *
 * @module
 */

export { dataDir } from "./core/store/data_dir.ts";
export { Store } from "./core/store/store.ts";
export { type ImageArgOptions, parseImageId } from "./core/store/ids.ts";
export type { Healthcheck, ImageConfig } from "./core/store/image_config.ts";
export type { MapEntry } from "./core/store/map.ts";
export {
  KEY_KINDS,
  type KeyKind,
  keyKind,
  KEYS,
  type KeyShown,
  type LxcBuildName,
} from "./core/store/keys.ts";
export { removeImage } from "./core/store/remove.ts";
export { type CleanParts, type CleanReport, cleanStore } from "./core/store/clean.ts";
export { type ImageInfo, listImages } from "./core/store/list.ts";
export { purgeStore } from "./core/store/purge.ts";
export { shrinkStore } from "./core/store/shrink.ts";
export { runContainer, type RunSpec } from "./core/runtime/container.ts";
export { runImage } from "./core/runtime/run_image.ts";
export {
  applyEdits,
  type ContainerProcess,
  type ContainerRoot,
  type ContainerSpec,
  containerSpec,
  type HostFacts,
  type Network,
} from "./core/runtime/container_spec.ts";
export type { HostViewName } from "./core/runtime/host_view.ts";
export type { BindSpec, MountTarget } from "./core/runtime/binds.ts";
export type { RunOptions, Volume } from "./core/runtime/run_options.ts";
export type {
  ContainerEdits,
  DeviceNode,
  EditMount,
  Hook,
  HookName,
} from "./core/runtime/container_edits.ts";
export { runInUserNamespace } from "./core/runtime/user_namespace.ts";
export { createImage, type CreateOptions, type StepCopies } from "./core/runtime/create_image.ts";
export { build, type BuildOptions, buildPlan } from "./core/build/builder.ts";
export { buildDockerfile, type DockerfileBuild } from "./core/build/dockerfile/build_dockerfile.ts";
export {
  type BuildPlan,
  evalContext,
  evaluate,
  type LayerPlan,
  planBuild,
  renderSteps,
} from "./core/build/evaluate.ts";
export { type Macro, MACRO_GROUPS, MACROS } from "./core/build/macros.ts";
export type { EvalContext, Step } from "./core/build/steps.ts";
export { type MacroCall, plashfileLines, tokenize } from "./core/build/tokenize.ts";
export { importTar } from "./core/tar/import_tar.ts";
export { exportTar, exportTarTo } from "./core/tar/export_tar.ts";
export { importUrl } from "./core/images/url/import_url.ts";
export { pullImage, type PullOptions } from "./core/images/registry/pull.ts";
export { importOciLayout, type LayoutOptions } from "./core/images/oci/layout.ts";
export type { WantedPlatform } from "./core/images/oci/platform.ts";
export { wantedPlatform } from "./core/images/oci/platform.ts";
export { importDockerArchive } from "./core/images/oci/docker_archive.ts";
export {
  type ExportedImage,
  exportImage,
  type ExportOptions,
} from "./core/images/export/export_image.ts";
export { BlobDir, type WrittenBlob } from "./core/images/export/blob_dir.ts";
export type { Descriptor, Platform } from "./core/images/oci/manifest.ts";
export { exportOciLayout, type LayoutExportOptions } from "./core/images/export/oci_layout_out.ts";
export {
  type DockerArchiveOptions,
  exportDockerArchive,
} from "./core/images/export/docker_archive_out.ts";
export { pushImage, type PushOptions } from "./core/images/registry/push.ts";
export { LayerCache } from "./core/images/registry/layer_cache.ts";
export { packLayer } from "./core/tar/oci_layer.ts";
export { type OutputCompression } from "./core/tar/compress.ts";
export { findLxcRootfs, importLxc, type LxcRootfs } from "./core/images/lxc/import_lxc.ts";
export type { LxcBuild } from "./core/images/lxc/lxc_index.ts";
export { type CopyOptions, copyTree } from "./core/tree/copy_tree.ts";
export type { WalkOptions } from "./core/tree/merged_tree.ts";
export { PlashError, type PlashErrorOptions, wrap } from "./core/errors.ts";
