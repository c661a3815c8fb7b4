/**
 * `plash import-tar [FILE|-]`: a new image from a tar archive (plain, gzip,
 * zstd or xz), on the empty root. Prints the new id and nothing else.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { Store } from "../store/store.ts";
import { importTar } from "../images/tarball/import_tar.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  printLine(await importTar(Store.open(), args.positionals[0] ?? "-"));
}
