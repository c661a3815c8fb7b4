/**
 * `plash run [--changes DIR] [--build-step] [RUN OPTIONS] ID [CMD...]`: as
 * root, plash itself becomes the container; without root, a child that
 * shares plash's memory enters a new user namespace and becomes it, and
 * plash waits for it (one Deno start either way). The run options (`-e`,
 * `--env-file`, `-v`, `--mount`, `-w`, `-u`) are docker's.
 *
 * @module
 */

import { RUN_OPTIONS } from "../cli/commands/running.ts";
import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { lazyImport } from "../lazy_import.ts";
import type { RunSpec } from "../runtime/container_spec.ts";
import { deviceEdits } from "../runtime/device_edits.ts";
import { runImage } from "../runtime/run_image.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<number> {
  const [id, ...command] = args.positionals;
  const store = Store.open();
  return await runImage(await runSpecOf(args, store, await imageArg(store, id), command));
}

/**
 * The container `run`'s options in `args` ask for: image `id` of `store`
 * running `command`. `plash exec` and `plash b run` run theirs with it.
 */
export async function runSpecOf(
  args: Args,
  store: Store,
  id: number,
  command: string[],
): Promise<RunSpec> {
  // Loaded only for a run that has them: most runs have none.
  const options = RUN_OPTIONS.some((option) => args.flag(option.name))
    ? (await lazyImport("parseRunOptions"))
      .runOptionsFrom((name) => args.values(name))
    : {};
  // The one lookup of the image a run makes (see `RunSpec.image`).
  const image = store.image(id);
  return {
    store,
    id,
    command,
    changesDir: args.value("changes"),
    buildStep: args.flag("build-step"),
    options,
    imageUser: true,
    edits: await deviceEdits(image.config, options),
    image,
  };
}
