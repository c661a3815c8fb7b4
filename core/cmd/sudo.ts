/** `plash sudo [CMD...]` @module */

import { enterPrivateMountNamespace } from "../../ffi/sys.ts";
import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { DEFAULT_PATH } from "../runtime/environment.ts";
import { execHostCommand, findExecutable } from "../runtime/exec.ts";
import { mountlessReason } from "../runtime/host_support.ts";

/**
 * Runs the command line as plash's root (root itself, or root of plash's user
 * namespace, which cli.ts entered), in a mount namespace of its own, so that
 * what it mounts (`plash mount`, say) vanishes with it and never reaches the
 * host's namespace, as with the original plash. PLASH_NO_UNSHARE set to
 * anything but "" runs it with neither namespace, as the original did; where
 * root cannot mount (`host_support.ts`), there is nothing to keep from the
 * host's namespace and none is made.
 */
export function main(args: Args): void {
  if (!Deno.env.get("PLASH_NO_UNSHARE") && mountlessReason() === undefined) {
    enterPrivateMountNamespace();
  }
  const [program] = args.positionals;
  // The original's words and status for a command that is not there.
  if (program !== undefined && !findExecutable(program, Deno.env.get("PATH") ?? DEFAULT_PATH)) {
    throw new PlashError(`could not exec "${program}": No such file or directory`);
  }
  execHostCommand(args.positionals);
}
