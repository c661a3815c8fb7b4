/**
 * `plash tag ID|NAME NAME...`: names an image, as `plash map NAME ID` does,
 * with the checks a name needs to work as an image argument. A name with a
 * `/` is a reference (`localhost/app`, `127.0.0.1:5000/app:v1`): it is kept
 * where a pull keeps the references it pulled, never as a map key of the
 * user's (the original refused `/` in those).
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { PlashError, reason } from "../errors.ts";
import { referenceKey } from "../images/registry/reference.ts";
import { keyKind, userKeyProblem } from "../store/keys.ts";
import { Store } from "../store/store.ts";

/** Runs the command line: every name is checked before any is set. */
export async function main(args: Args): Promise<void> {
  const [image, ...names] = args.positionals;
  const keys = names.map(nameKey);
  const store = Store.open();
  const id = await imageArg(store, image);
  store.chain(id); // an image that is not there gets no name
  for (const key of keys) store.setMap(key, id);
}

/**
 * The map key image name `name` is kept under: the name itself, checked; for
 * a reference (it has a `/`) the key of an image pulled as it, so that
 * `plash run REF` and `plash push ID REF` find it as they find a pulled one.
 */
export function nameKey(name: string): string {
  if (!name.includes("/")) {
    checkName(name);
    return name;
  }
  try {
    return referenceKey(name);
  } catch (error) {
    throw new PlashError(`tag: cannot name an image ${name}: ${reason(error)}`, { cause: error });
  }
}

/** Refuses what would not read back as this name where an image is asked for. */
function checkName(name: string): void {
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
