/**
 * `plash logout HOST`: forgets the stored credentials of a registry.
 *
 * @module
 */

import { removeCredentials } from "../images/registry/auth_file.ts";
import { expectArgs } from "./args.ts";

/** Runs the command line. */
export function main(args: string[]): void {
  expectArgs("logout", args, 1);
  // As docker: logging out where one was not logged in is said, not an error.
  if (!removeCredentials(args[0])) console.error(`plash: not logged in to ${args[0]}`);
}
