/**
 * `plash import-oci [--ref NAME] [--arch ARCH] [--variant V] PATH`: an image
 * from an OCI image layout, a directory or a tar of one. Prints the new id.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { interruptible } from "../images/interrupt.ts";
import { importOciLayout } from "../images/layout/read_layout.ts";
import { wantedPlatform } from "../images/oci/platform.ts";
import { setQuiet } from "../images/progress.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  setQuiet(args.flag("quiet"));
  const [path] = args.positionals;
  const store = Store.open();
  const options = {
    ref: args.value("ref"),
    platform: wantedPlatform(args.value("arch"), args.value("variant")),
  };
  const id = await interruptible(
    store,
    `import-oci ${path}`,
    (signal) => importOciLayout(store, path, options, signal),
  );
  printLine(id);
}
