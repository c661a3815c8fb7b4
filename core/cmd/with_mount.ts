/**
 * `plash with-mount ID [CMD...]`: a host command with the image mounted as
 * its working directory, in a mount namespace that ends with it (without
 * root, in a child of plash that is root of a user namespace: one Deno start).
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import { chdir } from "../../ffi/sys.ts";
import type { Args } from "../cli/parse_args.ts";
import { execHostCommand } from "../runtime/exec.ts";
import { requireMounts } from "../runtime/host_support.ts";
import { mountImagePrivately } from "../runtime/image_root.ts";
import { asNamespaceRoot } from "../runtime/user_namespace.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<number> {
  const [id, ...command] = args.positionals;
  const store = Store.open();
  const chain = store.chain(await imageArg(store, id));
  requireMounts("with-mount");
  const run = () => {
    // A host command, not the image's: the image's setuid files must not work there.
    const changes = mountImagePrivately(store, chain, undefined, { nosuid: true });
    chdir(changes.root);
    execHostCommand(command);
  };
  // Without root a child of plash mounts and runs the command as root of a user namespace.
  if (Deno.uid() !== 0) return await asNamespaceRoot(run);
  run();
  return 0; // not reached: run execs
}
