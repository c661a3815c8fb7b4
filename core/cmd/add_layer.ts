/**
 * `plash add-layer PARENT DIR`: DIR becomes the layer of a new image. It is
 * moved when it is on the data directory's filesystem and wholly the
 * caller's, copied otherwise: a directory another user owns, or holds files
 * in, would stay theirs to change (through a descriptor they hold open) after
 * the image is published, so the image gets new files instead. Neither needs
 * root: without root a copy keeps the files' owners as an import does, the
 * caller copying and one namespace child setting what only root of plash's
 * user namespace may (`copy_image.ts`). A directory the caller may not read
 * throughout, or whose own owner is another, is copied by plash started
 * again as root of the namespace.
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import { effectiveIds } from "../../ffi/sys.ts";
import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { needPrivilege } from "../privilege.ts";
import { Store } from "../store/store.ts";
import { removeStaged } from "../runtime/remove_staged.ts";
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
  if (info.dev === Deno.statSync(store.tmpRoot).dev && movable(dir)) {
    printLine(store.addLayer(parent, dir));
    return;
  }
  // The copy is moved into the store, which the caller may do only with a directory of its
  // own: one of another owner is copied as root of plash's user namespace.
  if (!ownsItself(info)) needPrivilege();
  const stage = store.makeTmpDir();
  try {
    // The copier is loaded only here: most add-layers move their directory.
    const { copyImage } = await lazyImport("copyImage");
    // Verbatim: the directory's own whiteouts and opaque marks are part of the layer. Without
    // root the files' other owners are set by one namespace child, or, where the caller may not
    // read them all, plash starts again as root of the namespace.
    await copyImage([dir], `${stage}/root`, { verbatim: true });
    printLine(store.addLayer(parent, `${stage}/root`));
  } finally {
    // Files the namespace child chowned may be closed to the caller.
    await removeStaged(stage);
  }
}

/** Whether `info`, the directory's own, is the caller's user and group (always as root). */
function ownsItself(info: Deno.FileInfo): boolean {
  const { uid, gid } = effectiveIds();
  return uid === 0 || (info.uid === uid && info.gid === gid);
}

/**
 * Whether the tree at `dir` is wholly the caller's; one the caller may not
 * read throughout is looked at as root of plash's user namespace.
 */
function movable(dir: string): boolean {
  try {
    return ownedBy(dir, effectiveIds().uid);
  } catch (error) {
    if (error instanceof Deno.errors.PermissionDenied) needPrivilege();
    throw error;
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
