/**
 * `plash add-layer PARENT DIR`: DIR becomes the layer of a new image. It is
 * moved when it is on the data directory's filesystem and wholly the
 * caller's, copied otherwise: a directory another user owns, or holds files
 * in, would stay theirs to change (through a descriptor they hold open) after
 * the image is published, so the image gets new files instead.
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import { effectiveIds } from "../../ffi/sys.ts";
import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { Store } from "../store/store.ts";
import { removeTree } from "../store/tmp.ts";
import "../tree/flatten.ts"; // publishes images: lets the store make checkpoints

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [parentText, dir] = args.positionals;
  const store = Store.open();
  const parent = await imageArg(store, parentText, { allowRoot: true });
  store.chain(parent); // an image that is not there, before the directory is moved
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(dir);
  } catch {
    throw new PlashError(`no such directory: ${dir}`);
  }
  if (!info.isDirectory) throw new PlashError(`not a directory: ${dir}`);
  if (info.dev === Deno.statSync(store.tmpRoot).dev && ownedBy(dir, effectiveIds().uid)) {
    printLine(store.addLayer(parent, dir));
    return;
  }
  const stage = store.makeTmpDir();
  try {
    // The copier is loaded only here: most add-layers move their directory.
    const { copyTree } = await lazyImport("copyTree");
    // Verbatim: the directory's own whiteouts and opaque marks are part of the layer.
    copyTree([dir], `${stage}/root`, { verbatim: true });
    printLine(store.addLayer(parent, `${stage}/root`));
  } finally {
    removeTree(stage);
  }
}

/** Whether everything in the tree at `path` (itself included, links not followed) is `uid`'s. */
function ownedBy(path: string, uid: number): boolean {
  if (Deno.lstatSync(path).uid !== uid) return false;
  for (const entry of Deno.readDirSync(path)) {
    const child = `${path}/${entry.name}`;
    if (entry.isDirectory ? !ownedBy(child, uid) : Deno.lstatSync(child).uid !== uid) return false;
  }
  return true;
}
