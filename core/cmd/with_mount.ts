/**
 * `plash with-mount ID [CMD...]`: a host command with the image mounted as
 * its working directory, in a mount namespace that ends with it.
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import { chdir } from "../../ffi/sys.ts";
import type { Args } from "../cli/parse_args.ts";
import { execHostCommand } from "../runtime/exec.ts";
import { requireMounts } from "../runtime/host_support.ts";
import { mountImagePrivately } from "../runtime/image_root.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [id, ...command] = args.positionals;
  const store = Store.open();
  const image = await imageArg(store, id);
  requireMounts("with-mount");
  // A host command, not the image's: the image's setuid files must not work there.
  const changes = mountImagePrivately(store, store.chain(image), undefined, {
    nosuid: true,
  });
  chdir(changes.root);
  execHostCommand(command);
}
