/**
 * `plash export-oci [--ref NAME] [--compress C] [--base ID] [--arch A] ID PATH`:
 * an image as an OCI image layout, a directory or (PATH ending in .tar) a
 * tar of one. Prints the manifest digest.
 *
 * @module
 */

import { exportOptions } from "../cli/commands/parse_export_options.ts";
import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { exportOciLayout } from "../images/layout/write_layout.ts";
import { interruptible } from "../images/interrupt.ts";
import { orAsImageRoot, readLayersAsImageRoot } from "../runtime/image_root_reader.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [id, path] = args.positionals;
  const store = Store.open();
  const image = await imageArg(store, id);
  // Without root: as root of the namespace sees them, here, or there (a file closed to the
  // caller).
  readLayersAsImageRoot(store.layersOf(store.chain(image)));
  const options = await exportOptions(store, (name) => args.value(name));
  const exported = await orAsImageRoot(() =>
    store.whileThere(image, "exporting it", () =>
      interruptible(
        store,
        `export-oci ${path}`,
        (signal) =>
          exportOciLayout(store, image, path, { ...options, ref: args.value("ref"), signal }),
      ))
  );
  printLine(exported.manifest.digest);
}
