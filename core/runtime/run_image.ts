/**
 * Running an image, whoever the caller is: as root this process becomes the
 * container; without root a child sharing plash's memory
 * enters a new user namespace and becomes it (`spawn_container.ts`); where
 * root cannot mount (or `PLASH_NO_UNSHARE=1`) the command runs in a private
 * copy of the image (`mountless.ts`). `plash run`, `plash exec` and
 * `plash b run` call it.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { executePlan, prepareExecution } from "./execute.ts";
import { planContainer } from "./plan.ts";
import type { RunSpec } from "./container_spec.ts";
import { mountlessReason } from "./host_support.ts";

/**
 * Runs `run`'s container and returns its exit status (as root, only by throwing or exec).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runImage } from "./run_image.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * // A program that ends in the container (as root it becomes it, as `plash run` does):
 * //   Deno.exit(await runImage({ store, id, command: ["true"], imageUser: true }));
 * // An image that is not there is said before anything runs.
 * await assert.rejects(runImage({ store, id: 1, command: ["true"] }), /no image: 1/);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export async function runImage(run: RunSpec): Promise<number> {
  const mountless = mountlessReason();
  if (mountless !== undefined) {
    if (run.options?.volumes) throw new PlashError(`run -v: a bind is a mount: ${mountless}`);
    // Loaded only here: it brings the tree copier.
    const { runMountless } = await lazyImport("mountless");
    return await runMountless(run);
  }
  // Looked up once (`no image: ID` when it is not there); what another process's `rm` made fail
  // afterwards is said as that.
  const image = run.image ?? run.store.image(run.id);
  return await run.store.blamingRemoval(run.id, "starting a run of it", async () => {
    const plan = planContainer({ ...run, image });
    if (Deno.uid() === 0) executePlan(await prepareExecution(plan));
    // Loaded only here: root's run needs no child and no user namespace.
    const { runPlanInChild } = await lazyImport("spawnContainer");
    const { status, failure } = await runPlanInChild(plan);
    if (failure !== undefined) throw failure;
    return status;
  });
}
