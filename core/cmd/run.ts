/**
 * `plash run [--changes DIR] [--build-step] [RUN OPTIONS] ID [CMD...]`: as
 * root, plash itself becomes the container; without root, a child that
 * shares plash's memory enters a new user namespace and becomes it, and
 * plash waits for it (one Deno start either way). Where the host refuses
 * mounts, it runs in a private copy of the image (`mountless.ts`). The run
 * options (`-e`, `--env-file`, `-v`, `--mount`, `-w`, `-u`) are docker's.
 *
 * @module
 */

import { RUN_OPTIONS } from "../cli/commands.ts";
import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { runContainer } from "../runtime/container.ts";
import { mountlessReason } from "../runtime/host_support.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<number> {
  const [id, ...command] = args.positionals;
  // Loaded only for a run that has them: most runs have none.
  const options = RUN_OPTIONS.some((option) => args.flag(option.name))
    ? (await lazyImport<typeof import("../runtime/run_options.ts")>("core/runtime/run_options.ts"))
      .runOptionsFrom((name) => args.values(name))
    : {};
  const store = Store.open();
  const spec = {
    store,
    id: await imageArg(store, id),
    command,
    changesDir: args.value("changes"),
    buildStep: args.flag("build-step"),
    options,
    imageUser: true,
  };
  const mountless = mountlessReason();
  if (mountless !== undefined) {
    if (options.volumes) throw new PlashError(`run -v: a bind is a mount: ${mountless}`);
    // Loaded only here: it brings the tree copier.
    const { runMountless } = await lazyImport<typeof import("../runtime/mountless.ts")>(
      "core/runtime/mountless.ts",
    );
    return await runMountless(spec);
  }
  return await store.whileThere(spec.id, "starting a run of it", async () => {
    if (Deno.uid() === 0) return await runContainer(spec);
    // Loaded only here: root's run needs no child and no user namespace.
    const [{ runPlanInChild }, { planContainer }] = await Promise.all([
      lazyImport<typeof import("../runtime/spawn_container.ts")>("core/runtime/spawn_container.ts"),
      lazyImport<typeof import("../runtime/plan.ts")>("core/runtime/plan.ts"),
    ]);
    const { status, failure } = await runPlanInChild(planContainer(spec));
    if (failure !== undefined) throw failure;
    return status;
  });
}
