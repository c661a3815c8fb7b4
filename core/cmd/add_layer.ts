/**
 * `plash add-layer PARENT DIR`: DIR becomes the layer of a new image. It is
 * moved when it is on the data directory's filesystem, copied otherwise.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { openStore } from "../store/data_dir.ts";
import { parseImageId } from "../store/ids.ts";
import { addLayer } from "../store/publish.ts";
import { makeTmpDir, removeTree } from "../store/tmp.ts";
import { expectArgs, printLine } from "./args.ts";
import { lazyImport } from "../lazy_import.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<void> {
  expectArgs("add-layer", args, 2);
  const data = openStore();
  const parent = parseImageId(args[0]);
  const dir = args[1];
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(dir);
  } catch {
    throw new PlashError(`no such directory: ${dir}`);
  }
  if (!info.isDirectory) throw new PlashError(`not a directory: ${dir}`);
  if (info.dev === Deno.statSync(`${data}/tmp`).dev) {
    printLine(addLayer(data, parent, dir));
    return;
  }
  const stage = makeTmpDir(data);
  try {
    // The copier is loaded only here: most add-layers move their directory.
    const { copyTree } = await lazyImport<typeof import("../tree/copy_tree.ts")>(
      import.meta.url,
      "../tree/copy_tree.ts",
    );
    // Verbatim: the directory's own whiteouts and opaque marks are part of the layer.
    copyTree([dir], `${stage}/root`, { verbatim: true });
    printLine(addLayer(data, parent, `${stage}/root`));
  } finally {
    removeTree(stage);
  }
}
