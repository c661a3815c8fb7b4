/** `plash sudo [CMD...]` @module */

import { execHostCommand } from "./with_mount.ts";

/** Runs the command line: as root, plash's root is root itself. */
export function main(args: string[]): void {
  execHostCommand(args);
}
