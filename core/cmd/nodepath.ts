/** `plash nodepath ID [--allow-root-container]` @module */

import { imageArg } from "../cli/image_arg.ts";
import { findCommand } from "../cli/commands/mod.ts";
import { type Args, usageError } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { Store } from "../store/store.ts";

const ALLOW_ROOT = "--allow-root-container";

/**
 * Runs the command line. Its words are taken as they come, as the original
 * plash took them: the image first, then maybe `--allow-root-container`
 * (anything else after the image is wrong usage).
 */
export async function main(args: Args): Promise<void> {
  const [id, ...rest] = args.positionals;
  if (rest.length > 1 || (rest.length === 1 && rest[0] !== ALLOW_ROOT)) {
    throw usageError(findCommand("nodepath")!);
  }
  const store = Store.open();
  printLine(store.node(await imageArg(store, id, { allowRoot: rest[0] === ALLOW_ROOT })));
}
