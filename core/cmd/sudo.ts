/** `plash sudo [CMD...]` @module */

import { enterPrivateMountNamespace } from "../../ffi/sys.ts";
import { inUserNamespace } from "../tree/unprivileged.ts";
import { execHostCommand } from "./with_mount.ts";

/**
 * Runs the command line. As root, plash's root is root itself. In plash's
 * user namespace the command also gets a mount namespace of its own, owned by
 * that user namespace, so that `plash mount` and friends work inside.
 */
export function main(args: string[]): void {
  if (inUserNamespace()) enterPrivateMountNamespace();
  execHostCommand(args);
}
