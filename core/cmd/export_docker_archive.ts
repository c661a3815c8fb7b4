/**
 * `plash export-docker-archive [--ref NAME:TAG] [--compress C] [--base ID]
 * [--arch A] ID FILE|-`: an image as `docker save` writes one, for `docker
 * load` and `podman load`.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { exportDockerArchive } from "../images/export/docker_archive_out.ts";
import { exportOptions } from "../images/export/options.ts";
import { interruptible } from "../images/interrupt.ts";
import { parseImageId } from "../store/ids.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [id, target] = args.positionals;
  const image = parseImageId(id);
  const options = exportOptions((name) => args.value(name), "none");
  if (target === "-" && Deno.stdout.isTerminal()) {
    throw new PlashError("refusing to write an archive to a terminal: give a FILE or redirect");
  }
  const store = Store.open();
  await interruptible(
    store,
    `export-docker-archive ${target}`,
    (signal) =>
      exportDockerArchive(store, image, target, { ...options, ref: args.value("ref"), signal }),
  );
}
