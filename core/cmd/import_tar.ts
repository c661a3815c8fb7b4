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
import { needPrivilege } from "../privilege.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const source = args.positionals[0] ?? "-";
  // An archive whose root directory needs namespace root makes the import start again
  // there (core/images/apply_deferred.ts), which could not read stdin again: go there first.
  if (source === "-") needPrivilege();
  printLine(await importTar(Store.open(), source));
}
