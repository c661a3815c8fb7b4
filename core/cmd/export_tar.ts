/**
 * `plash export-tar ID [FILE|-]`: an image's files as one uncompressed tar
 * archive, on stdout by default.
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { orAsImageRoot, readLayersAsImageRoot } from "../runtime/image_root_reader.ts";
import { Store } from "../store/store.ts";
import { exportTarTo } from "../images/tarball/export_tar.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [id, target = "-"] = args.positionals;
  const store = Store.open();
  const image = await imageArg(store, id);
  // Without root: as root of the namespace sees them, here, or there (a file closed to the
  // caller); an archive on stdout cannot be taken back, so that is known before it starts.
  readLayersAsImageRoot(store.layersOf(store.chain(image)), { lookFirst: target === "-" });
  if (target === "-" && Deno.stdout.isTerminal()) {
    throw new PlashError("refusing to write a tar archive to a terminal: give a FILE or redirect");
  }
  await orAsImageRoot(() =>
    store.whileThere(image, "exporting it", () => exportTarTo(store, image, target))
  );
}
