/** `plash nodepath ID [--allow-root-container]` @module */

import { findCommand } from "../cli/commands.ts";
import { type Args, usageError } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { parseImageId } from "../store/ids.ts";
import { Store } from "../store/store.ts";

const ALLOW_ROOT = "--allow-root-container";

/**
 * Runs the command line. Its words are taken as they come, as the original
 * plash took them: the image first, then maybe `--allow-root-container`
 * (anything else after the image is wrong usage).
 */
export function main(args: Args): void {
  const [id, ...rest] = args.positionals;
  if (rest.length > 1 || (rest.length === 1 && rest[0] !== ALLOW_ROOT)) {
    throw usageError(findCommand("nodepath")!);
  }
  printLine(Store.open().node(parseImageId(id, { allowRoot: rest[0] === ALLOW_ROOT })));
}
