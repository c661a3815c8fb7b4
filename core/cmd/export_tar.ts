/**
 * `plash export-tar ID [FILE|-]`: an image's files as one uncompressed tar
 * archive, on stdout by default.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { parseImageId } from "../store/ids.ts";
import { Store } from "../store/store.ts";
import { exportTarTo } from "../tar/export_tar.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [id, target = "-"] = args.positionals;
  const image = parseImageId(id);
  if (target === "-" && Deno.stdout.isTerminal()) {
    throw new PlashError("refusing to write a tar archive to a terminal: give a FILE or redirect");
  }
  await exportTarTo(Store.open(), image, target);
}
