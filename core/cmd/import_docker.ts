/**
 * `plash import-docker [--arch ARCH] [--variant V] [--insecure] REF`: pulls
 * an image from a registry. Prints the new id and nothing else; the image
 * becomes what `--from-docker REF` builds on.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { interruptible } from "../images/interrupt.ts";
import { pullImage } from "../images/registry/pull.ts";
import { setQuiet } from "../images/progress.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  setQuiet(args.flag("quiet"));
  const [ref] = args.positionals;
  const store = Store.open();
  const options = {
    architecture: args.value("arch"),
    variant: args.value("variant"),
    insecure: args.flag("insecure"),
  };
  const id = await interruptible(
    store,
    `import-docker ${ref}`,
    (signal) => pullImage(store, ref, options, signal),
  );
  printLine(id);
}
