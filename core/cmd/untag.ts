/**
 * `plash untag NAME...`: removes names and references from the map (the
 * images stay), as `plash map NAME ''` does, but saying so when a name is
 * not there.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { PlashError, wrap } from "../errors.ts";
import { findImageKey, unknownNameError } from "../images/names.ts";
import { keyKind } from "../store/keys.ts";
import { Store } from "../store/store.ts";

/** Runs the command line: every name is found before any is removed. */
export async function main(args: Args): Promise<void> {
  const store = Store.open();
  const keys: string[] = [];
  for (const name of args.positionals) {
    if (/^\d+$/.test(name)) {
      throw new PlashError(`untag: ${name} is an image id, not a name (plash inspect ${name})`);
    }
    const found = await findImageKey(store, name);
    if (found === undefined || keyKind(found.key).shown === "internal") {
      throw wrap(unknownNameError(store, name), "untag");
    }
    keys.push(found.key);
  }
  for (const key of keys) store.deleteMap(key);
}
