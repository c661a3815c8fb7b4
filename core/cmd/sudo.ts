/** `plash sudo [CMD...]` @module */

import { enterPrivateMountNamespace } from "../../ffi/sys.ts";
import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { DEFAULT_PATH } from "../runtime/environment.ts";
import { execHostCommand, findExecutable } from "../runtime/exec.ts";
import { mountlessReason } from "../runtime/host_support.ts";

/**
 * Runs the command line as plash's root (root itself, or root of a new user
 * namespace, which a child of plash enters before it execs the command: one
 * Deno start), in a mount namespace of its own, so that what it mounts
 * (`plash mount`, say) vanishes with it and never reaches the host's
 * namespace, as with the original plash. PLASH_NO_UNSHARE set to anything
 * but "" runs it with neither namespace, as the original did; where root
 * cannot mount (`host_support.ts`), there is nothing to keep from the host's
 * namespace and none is made.
 */
export async function main(args: Args): Promise<number> {
  const [program] = args.positionals;
  // The original's words and status for a command that is not there.
  if (program !== undefined && !findExecutable(program, Deno.env.get("PATH") ?? DEFAULT_PATH)) {
    throw new PlashError(`could not exec "${program}": No such file or directory`);
  }
  const namespaces = !Deno.env.get("PLASH_NO_UNSHARE");
  const mounts = namespaces && mountlessReason() === undefined;
  const run = () => {
    if (mounts) enterPrivateMountNamespace();
    execHostCommand(args.positionals);
  };
  if (namespaces && Deno.uid() !== 0) {
    // Loaded only here: root's sudo needs no child and no user namespace.
    const { asNamespaceRoot } = await lazyImport("userNamespace");
    return await asNamespaceRoot(run);
  }
  run();
  return 0; // not reached: run execs
}
