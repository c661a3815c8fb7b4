/**
 * `plash import-lxc NAME [--dry]`: the newest build of an LXC image
 * (images.linuxcontainers.org, or `$PLASH_LXC_SERVER`) for this host's
 * architecture. Prints the id, or with --dry the archive's URL. The image
 * becomes what `--from NAME` builds on: this is how a build's base is
 * brought up to date.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { findLxcRootfs, importLxc } from "../images/lxc/import_lxc.ts";
import { lxcArch, lxcNameKey } from "../images/lxc/lxc_name.ts";
import { setQuiet } from "../images/progress.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  setQuiet(args.flag("quiet"));
  const [name] = args.positionals;
  if (args.flag("dry")) return printLine((await findLxcRootfs(name)).url);
  const key = lxcNameKey(name, lxcArch());
  const store = Store.open();
  const id = await importLxc(store, name);
  store.setMap(key, id);
  printLine(id);
}
