/**
 * `plash logout HOST`: forgets the stored credentials of a registry.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { removeCredentials } from "../images/registry/auth_file.ts";

/** Runs the command line. */
export function main(args: Args): void {
  const [registry] = args.positionals;
  // As docker: logging out where one was not logged in is said, not an error.
  if (!removeCredentials(registry)) console.error(`plash: not logged in to ${registry}`);
}
