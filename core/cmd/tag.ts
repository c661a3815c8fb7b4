/**
 * `plash tag ID|NAME NAME...`: names an image, as `plash map NAME ID` does,
 * with the checks a name needs to work as an image argument.
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { keyKind, userKeyProblem } from "../store/keys.ts";
import { Store } from "../store/store.ts";

/** Runs the command line: every name is checked before any is set. */
export async function main(args: Args): Promise<void> {
  const [image, ...names] = args.positionals;
  for (const name of names) checkName(name);
  const store = Store.open();
  const id = await imageArg(store, image);
  store.chain(id); // an image that is not there gets no name
  for (const name of names) store.setMap(name, id);
}

/** Refuses what would not read back as this name where an image is asked for. */
export function checkName(name: string): void {
  const refuse = (why: string) => new PlashError(`tag: cannot name an image ${name}: ${why}`);
  if (name === "") throw new PlashError("tag: a name cannot be empty");
  if (/^\d+$/.test(name)) throw refuse("a number is an image id");
  if (name.startsWith("-")) throw refuse("a name cannot start with -");
  if (/\s/.test(name)) throw refuse("a name cannot hold white space");
  const problem = userKeyProblem(name);
  if (problem !== undefined) throw refuse(problem);
  const kind = keyKind(name);
  if (kind.shown !== "name") throw refuse(`${kind.prefix} keys are plash's own (${kind.summary})`);
}
