/**
 * `plash export-docker-archive [--ref NAME:TAG] [--compress C] [--base ID]
 * [--arch A] ID FILE|-`: an image as `docker save` writes one, for `docker
 * load` and `podman load`.
 *
 * @module
 */

import { exportOptions } from "../cli/commands/parse_export_options.ts";
import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { exportDockerArchive } from "../images/docker_archive/write_docker_archive.ts";
import { interruptible } from "../images/interrupt.ts";
import { orAsImageRoot, readLayersAsImageRoot } from "../runtime/image_root_reader.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [id, target] = args.positionals;
  const store = Store.open();
  const image = await imageArg(store, id);
  // Without root: as root of the namespace sees them, here, or there (a file closed to the
  // caller); an archive on stdout cannot be taken back, so that is known before it starts.
  readLayersAsImageRoot(store.layersOf(store.chain(image)), { lookFirst: target === "-" });
  const options = await exportOptions(store, (name) => args.value(name), "none");
  if (target === "-" && Deno.stdout.isTerminal()) {
    throw new PlashError("refusing to write an archive to a terminal: give a FILE or redirect");
  }
  await orAsImageRoot(() =>
    store.whileThere(image, "exporting it", () =>
      interruptible(
        store,
        `export-docker-archive ${target}`,
        (signal) =>
          exportDockerArchive(store, image, target, { ...options, ref: args.value("ref"), signal }),
      ))
  );
}
