/**
 * `plash push [--insecure] [-q] [--compress C] [--base ID] [--arch A] ID REF`:
 * uploads an image to a registry and prints its manifest digest.
 *
 * @module
 */

import { exportOptions } from "../cli/commands/parse_export_options.ts";
import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { interruptible } from "../images/interrupt.ts";
import { setQuiet } from "../images/progress.ts";
import { pushImage } from "../images/registry/push.ts";
import { orAsImageRoot, readLayersAsImageRoot } from "../runtime/image_root_reader.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  setQuiet(args.flag("quiet"));
  const [id, ref] = args.positionals;
  const store = Store.open();
  const image = await imageArg(store, id);
  // Without root: as root of the namespace sees them, here, or there (a file closed to the
  // caller).
  readLayersAsImageRoot(store.layersOf(store.chain(image)));
  const options = {
    ...await exportOptions(store, (name) => args.value(name)),
    insecure: args.flag("insecure"),
  };
  const digest = await orAsImageRoot(() =>
    store.whileThere(image, "pushing it", () =>
      interruptible(
        store,
        `push ${ref}`,
        (signal) => pushImage(store, image, ref, options, signal),
      ))
  );
  printLine(digest);
}
