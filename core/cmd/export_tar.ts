/**
 * `plash export-tar ID [FILE|-]`: an image's files as one uncompressed tar
 * archive, on stdout by default.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { openStore } from "../store/data_dir.ts";
import { parseImageId } from "../store/ids.ts";
import { exportTarTo } from "../tar/export_tar.ts";
import { expectArgs } from "./args.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<void> {
  expectArgs("export-tar", args, 1, 2);
  const id = parseImageId(args[0]);
  const target = args[1] ?? "-";
  if (target === "-" && Deno.stdout.isTerminal()) {
    throw new PlashError("refusing to write a tar archive to a terminal: give a FILE or redirect");
  }
  await exportTarTo(openStore(), id, target);
}
