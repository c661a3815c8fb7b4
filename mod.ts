/**
 * plash as a library: the image store, the container runtime, builds from
 * macros and the tar archives, as the `plash` command uses them.
 *
 * ```ts
 * import { addLayer, build, makeTmpDir, openStore, runContainer } from "./mod.ts";
 *
 * const data = openStore(); // $PLASH_DATA, default ~/.plashdata
 * const layer = makeTmpDir(data);
 * Deno.writeTextFileSync(`${layer}/hello`, "hi\n");
 * const id = addLayer(data, 1, layer); // a new image on image 1
 * const built = await build(["--from-id", String(id), "--run", "touch /built"]);
 * runContainer({ data, id: built, command: ["ls", "/"] }); // replaces this process
 * ```
 *
 * Everything here is root's view: without root, run plash's commands, which
 * enter a user namespace first (`runInUserNamespace`).
 *
 * @module
 */

export { dataDir, initStore, openStore } from "./core/store/data_dir.ts";
export { allocateId, parseImageId } from "./core/store/ids.ts";
export type { ImageConfig } from "./core/store/image_config.ts";
export { readConfig } from "./core/store/image_config.ts";
export { allImageIds, ancestry, layerPath, nodePath, parentOf } from "./core/store/nodes.ts";
export { addLayer } from "./core/store/publish.ts";
export { allMaps, deleteMap, getMap, setMap } from "./core/store/map.ts";
export { removeImage } from "./core/store/remove.ts";
export { type CleanReport, cleanStore } from "./core/store/clean.ts";
export { type ImageInfo, listImages } from "./core/store/list.ts";
export { purgeStore } from "./core/store/purge.ts";
export { shrinkStore } from "./core/store/shrink.ts";
export { makeTmpDir, removeTree } from "./core/store/tmp.ts";
export { runContainer, type RunSpec } from "./core/runtime/container.ts";
export { runInUserNamespace } from "./core/runtime/user_namespace.ts";
export { createImage } from "./core/runtime/create_image.ts";
export { build, buildPlan } from "./core/build/builder.ts";
export {
  type BuildPlan,
  evalContext,
  evaluate,
  type LayerPlan,
  planBuild,
  renderSteps,
} from "./core/build/evaluate.ts";
export { type Macro, MACROS } from "./core/build/macros.ts";
export type { EvalContext, Step } from "./core/build/steps.ts";
export { type MacroCall, plashfileLines, tokenize } from "./core/build/tokenize.ts";
export { importTar } from "./core/tar/import_tar.ts";
export { importUrl } from "./core/images/url/import_url.ts";
export { pullImage } from "./core/images/registry/pull.ts";
export { importOciLayout } from "./core/images/oci/layout.ts";
export { importDockerArchive } from "./core/images/oci/docker_archive.ts";
export { findLxcRootfs, importLxc, type LxcRootfs } from "./core/images/lxc/import_lxc.ts";
export { exportTar, exportTarTo } from "./core/tar/export_tar.ts";
export { copyTree } from "./core/tree/copy_tree.ts";
export { PlashError } from "./core/errors.ts";
