/**
 * `plash import-docker-archive [--ref NAME] FILE|-`: an image from `docker
 * save` output. Prints the new id.
 *
 * @module
 */

import { interruptible } from "../images/interrupt.ts";
import { importDockerArchive } from "../images/oci/docker_archive.ts";
import { optionValue, parseOptions } from "../images/options.ts";
import { openStore } from "../store/data_dir.ts";
import { printLine, usageError } from "./args.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<void> {
  const parsed = parseOptions("import-docker-archive", args, { values: ["ref"] });
  if (parsed.positionals.length !== 1) throw usageError("import-docker-archive");
  const [source] = parsed.positionals;
  const data = openStore();
  const id = await interruptible(
    data,
    `import-docker-archive ${source}`,
    (signal) => importDockerArchive(data, source, optionValue(parsed, "ref"), signal),
  );
  printLine(id);
}
