/**
 * `plash import-lxc NAME [--dry]`: the newest build of an LXC image
 * (images.linuxcontainers.org, or `$PLASH_LXC_SERVER`) for this host's
 * architecture. Prints the id, or with --dry the archive's URL. The image
 * becomes what `--from NAME` builds on: this is how a build's base is
 * brought up to date.
 *
 * @module
 */

import { findLxcRootfs, importLxc } from "../images/lxc/import_lxc.ts";
import { lxcArch, lxcNameKey } from "../images/lxc/lxc_name.ts";
import { openStore } from "../store/data_dir.ts";
import { setMap } from "../store/map.ts";
import { printLine, usageError } from "./args.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<void> {
  const dry = args.includes("--dry");
  const names = args.filter((arg) => arg !== "--dry");
  if (names.length !== 1 || names[0].startsWith("-")) throw usageError("import-lxc");
  const [name] = names;
  if (dry) return printLine((await findLxcRootfs(name)).url);
  const data = openStore();
  const id = await importLxc(data, name);
  setMap(data, lxcNameKey(name, lxcArch()), id);
  printLine(id);
}
