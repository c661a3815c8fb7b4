/**
 * `plash import-docker-archive [--ref NAME] FILE|-`: an image from `docker
 * save` output. Prints the new id.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { interruptible } from "../images/interrupt.ts";
import { importDockerArchive } from "../images/docker_archive/read_docker_archive.ts";
import { setQuiet } from "../images/progress.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  setQuiet(args.flag("quiet"));
  const [source] = args.positionals;
  const store = Store.open();
  const id = await interruptible(
    store,
    `import-docker-archive ${source}`,
    (signal) => importDockerArchive(store, source, args.value("ref"), signal),
  );
  printLine(id);
}
