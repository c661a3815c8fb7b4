/** `plash sudo [CMD...]` @module */

import { inUserNamespace } from "../../ffi/namespaces.ts";
import { enterPrivateMountNamespace } from "../../ffi/sys.ts";
import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { DEFAULT_PATH } from "../runtime/environment.ts";
import { execHostCommand, findExecutable } from "../runtime/exec.ts";

/**
 * Runs the command line. As root, plash's root is root itself. In plash's
 * user namespace the command also gets a mount namespace of its own, owned by
 * that user namespace, so that `plash mount` and friends work inside.
 */
export function main(args: Args): void {
  if (inUserNamespace()) enterPrivateMountNamespace();
  const [program] = args.positionals;
  // The original's words and status for a command that is not there.
  if (program !== undefined && !findExecutable(program, Deno.env.get("PATH") ?? DEFAULT_PATH)) {
    throw new PlashError(`could not exec "${program}": No such file or directory`);
  }
  execHostCommand(args.positionals);
}
