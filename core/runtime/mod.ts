/**
 * Running containers: a process chrooted into an overlayfs stack of an
 * image's layers, in its own mount namespace (and, without root, its own
 * user namespace).
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { createImage } from "@plash/plash/runtime";
 * import { Store } from "@plash/plash/store";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const layer = store.makeTmpDir();
 * Deno.mkdirSync(`${layer}/bin`);
 * Deno.copyFileSync("/bin/busybox", `${layer}/bin/sh`); // a static shell
 * const base = store.addLayer(0, layer);
 * // `plash create`: the command's changes become a new image
 * const id = await createImage(store, base, ["sh", "-c", "echo hi > /hello"], { what: "create" });
 * assert.equal(Deno.readTextFileSync(`${store.layer(id)}/hello`), "hi\n");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

export { runImage } from "./run_image.ts";
export { runContainer } from "./container.ts";
export type { Network, RunSpec } from "./container_spec.ts";
export type { RunOptions, Volume } from "./run_options.ts";
export type { HostViewName } from "./host_view.ts";
export type { ContainerEdits, DeviceNode, EditMount, Hook, HookName } from "./container_edits.ts";
export { createImage, type CreateOptions, type StepCopies } from "./create_image.ts";
export { runInUserNamespace } from "./user_namespace.ts";
export { removingTrees } from "./tree_removal.ts";
// What the types above name from the store.
export type {
  Healthcheck,
  ImageConfig,
  MapEntry,
  Store,
  StoredImage,
  StoreLayout,
} from "../store/mod.ts";
