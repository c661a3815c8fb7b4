/**
 * Running an image, whoever the caller is: as root this process becomes the
 * container (`container.ts`); without root a child sharing plash's memory
 * enters a new user namespace and becomes it (`spawn_container.ts`); with
 * `PLASH_NO_UNSHARE=1` the image is run without mounts (`chroot_only.ts`).
 * `plash run`, `plash exec` and `plash b run` call it.
 *
 * @example
 * ```ts
 * import { runImage } from "./run_image.ts";
 * import { Store } from "../store/store.ts";
 *
 * Deno.exit(await runImage({ store: Store.open(), id: 1, command: ["true"], imageUser: true }));
 * ```
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { runContainer } from "./container.ts";
import type { RunSpec } from "./container_spec.ts";

/** Runs `run`'s container and returns its exit status (as root, only by throwing or exec). */
export async function runImage(run: RunSpec): Promise<number> {
  if (Deno.env.get("PLASH_NO_UNSHARE") === "1") {
    if (run.options?.volumes) {
      throw new PlashError("run -v: a bind is a mount, which PLASH_NO_UNSHARE=1 rules out");
    }
    // Loaded only here: it brings the tree copier.
    const { runChrootOnly } = await lazyImport<typeof import("./chroot_only.ts")>(
      "core/runtime/chroot_only.ts",
    );
    return await runChrootOnly(run);
  }
  if (Deno.uid() !== 0) {
    // Loaded only here: root's run needs no child and no user namespace.
    const [{ runPlanInChild }, { planContainer }] = await Promise.all([
      lazyImport<typeof import("./spawn_container.ts")>("core/runtime/spawn_container.ts"),
      lazyImport<typeof import("./plan.ts")>("core/runtime/plan.ts"),
    ]);
    return (await runPlanInChild(planContainer(run))).status;
  }
  return await runContainer(run);
}
