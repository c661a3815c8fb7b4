/**
 * `plash push [--insecure] [--compress C] [--base ID] [--arch A] ID REF`:
 * uploads an image to a registry and prints its manifest digest.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { exportOptions } from "../images/export/options.ts";
import { interruptible } from "../images/interrupt.ts";
import { pushImage } from "../images/registry/push.ts";
import { parseImageId } from "../store/ids.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [id, ref] = args.positionals;
  const image = parseImageId(id);
  const options = {
    ...exportOptions((name) => args.value(name)),
    insecure: args.flag("insecure"),
  };
  const store = Store.open();
  const digest = await interruptible(
    store,
    `push ${ref}`,
    (signal) => pushImage(store, image, ref, options, signal),
  );
  printLine(digest);
}
