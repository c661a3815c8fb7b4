/**
 * `plash run [--changes DIR] [--build-step] ID [CMD...]`: as root, plash
 * itself becomes the container; without root, a child that shares plash's
 * memory enters a new user namespace and becomes it, and plash waits for it
 * (one Deno start either way).
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { lazyImport } from "../lazy_import.ts";
import { runContainer } from "../runtime/container.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<number> {
  const [id, ...command] = args.positionals;
  const store = Store.open();
  const spec = {
    store,
    id: await imageArg(store, id),
    command,
    changesDir: args.value("changes"),
    buildStep: args.flag("build-step"),
  };
  if (Deno.env.get("PLASH_NO_UNSHARE") === "1") {
    // Loaded only here: it brings the tree copier.
    const { runChrootOnly } = await lazyImport<typeof import("../runtime/chroot_only.ts")>(
      "core/runtime/chroot_only.ts",
    );
    runChrootOnly(spec);
  }
  if (Deno.uid() !== 0) {
    // Loaded only here: root's run needs no child and no user namespace.
    const [{ runPlanInChild }, { planContainer }] = await Promise.all([
      lazyImport<typeof import("../runtime/spawn_container.ts")>("core/runtime/spawn_container.ts"),
      lazyImport<typeof import("../runtime/plan.ts")>("core/runtime/plan.ts"),
    ]);
    return (await runPlanInChild(planContainer(spec))).status;
  }
  runContainer(spec);
}
