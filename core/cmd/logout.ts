/**
 * `plash logout HOST`: forgets the stored credentials of a registry.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { removeCredentials } from "../images/registry/auth_file.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [registry] = args.positionals;
  // As docker: logging out where one was not logged in is said, not an error.
  if (!(await removeCredentials(registry))) console.error(`plash: not logged in to ${registry}`);
}
