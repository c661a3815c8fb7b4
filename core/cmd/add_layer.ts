/**
 * `plash add-layer PARENT DIR`: DIR becomes the layer of a new image. It is
 * moved when it is on the data directory's filesystem, copied otherwise.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { parseImageId } from "../store/ids.ts";
import { Store } from "../store/store.ts";
import { removeTree } from "../store/tmp.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [parentText, dir] = args.positionals;
  const store = Store.open();
  const parent = parseImageId(parentText);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(dir);
  } catch {
    throw new PlashError(`no such directory: ${dir}`);
  }
  if (!info.isDirectory) throw new PlashError(`not a directory: ${dir}`);
  if (info.dev === Deno.statSync(store.tmpRoot).dev) {
    printLine(store.addLayer(parent, dir));
    return;
  }
  const stage = store.makeTmpDir();
  try {
    // The copier is loaded only here: most add-layers move their directory.
    const { copyTree } = await lazyImport<typeof import("../tree/copy_tree.ts")>(
      import.meta.url,
      "../tree/copy_tree.ts",
    );
    // Verbatim: the directory's own whiteouts and opaque marks are part of the layer.
    copyTree([dir], `${stage}/root`, { verbatim: true });
    printLine(store.addLayer(parent, `${stage}/root`));
  } finally {
    removeTree(stage);
  }
}
