/**
 * `plash import-tar [FILE|-]`: a new image from a tar archive (plain, gzip,
 * zstd or xz; stdin by default). Prints the new id and nothing else.
 *
 * @module
 */

import { openStore } from "../store/data_dir.ts";
import { importTar } from "../tar/import_tar.ts";
import { expectArgs, printLine } from "./args.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<void> {
  expectArgs("import-tar", args, 0, 1);
  printLine(await importTar(openStore(), args[0] ?? "-"));
}
