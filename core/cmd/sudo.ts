/** `plash sudo [CMD...]` @module */

import { inUserNamespace } from "../../ffi/namespaces.ts";
import { enterPrivateMountNamespace } from "../../ffi/sys.ts";
import type { Args } from "../cli/parse_args.ts";
import { execHostCommand } from "../runtime/exec.ts";

/**
 * Runs the command line. As root, plash's root is root itself. In plash's
 * user namespace the command also gets a mount namespace of its own, owned by
 * that user namespace, so that `plash mount` and friends work inside.
 */
export function main(args: Args): void {
  if (inUserNamespace()) enterPrivateMountNamespace();
  execHostCommand(args.positionals);
}
