/**
 * The devices of one container: those its image's config names (the
 * `--device` macro) and those the caller asks for (`--device`), resolved by
 * the CDI reader (`cdi/`) into the edits the container spec takes in
 * (`container_spec.ts` `applyEdits`). The reader is loaded only for a
 * container that has a device: most have none, and a start pays nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deviceEdits } from "./device_edits.ts";
 * import { Store } from "../store/store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const layer = store.makeTmpDir();
 * Deno.mkdirSync(`${layer}/bin`);
 * Deno.copyFileSync("/bin/busybox", `${layer}/bin/true`); // a static busybox is `true`
 * const id = store.addLayer(0, layer);
 * const edits = await deviceEdits(store.config(id), { devices: ["/dev/null"] });
 * const { path, type, major, minor } = edits!.deviceNodes[0];
 * assert.deepEqual({ path, type, major, minor }, {
 *   path: "/dev/null",
 *   type: "c",
 *   major: 1,
 *   minor: 3,
 * });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { lazyImport } from "../lazy_import.ts";
import type { ImageConfig } from "../store/image_config.ts";
import type { ContainerEdits } from "./container_edits.ts";
import type { RunOptions } from "./run_options.ts";

/** The edits of the devices of an image's `config` and `options`' (image's first); undefined for none. */
export async function deviceEdits(
  config: ImageConfig,
  options: RunOptions,
): Promise<ContainerEdits | undefined> {
  const requests = [...(config.devices ?? []), ...(options.devices ?? [])];
  if (requests.length === 0) return undefined;
  const { resolveDevices } = await lazyImport("cdiResolve");
  return await resolveDevices(requests, { specDirs: options.cdiSpecDirs });
}
