/**
 * `plash create ID [CMD...]`: runs CMD (default: /bin/sh, reading stdin) in a
 * container whose changes are kept, then publishes them as a new image on ID
 * (without root too, in one start: see `core/runtime/create_image.ts`).
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { createImage } from "../runtime/create_image.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<number> {
  const [id, ...rest] = args.positionals;
  // No command: a shell reading its script from stdin, as in the original plash.
  const command = rest.length ? rest : ["/bin/sh"];
  const store = Store.open();
  const image = await imageArg(store, id);
  printLine(await createImage(store, image, command, { what: `create: ${command[0]}` }));
  return 0;
}
