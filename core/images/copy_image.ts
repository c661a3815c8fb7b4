/**
 * An image's files (or a directory to add as a layer) copied without root in
 * one start, as the imports are extracted (`apply_deferred.ts`): the caller
 * copies every file, reading the
 * layers as root of plash's user namespace sees them (`image_root_reader.ts`:
 * the image's ids, not the host's), and one clone child in that namespace
 * gives the copies their other owners, set-id bits and `security.*` xattrs.
 *
 * Where a file of the image is closed to the caller (a subordinate id's mode
 * 0600 or 0700, or mode 0), found by a look at every file before anything
 * is made, or where the copy is refused on the way (it then removes what it
 * made), the command starts again as root of the namespace
 * (`core/privilege.ts`), where every rootless copy ran before.
 *
 * @module
 */

import { exists } from "../../ffi/sys.ts";
import { wrap } from "../errors.ts";
import { orAsImageRoot, readLayersAsImageRoot } from "../runtime/image_root_reader.ts";
import { removeWritten } from "../runtime/remove_staged.ts";
import { copyTree } from "../tree/copy_tree.ts";
import { applyDeferred, deferredMetadata } from "./apply_deferred.ts";

/** How {@linkcode copyImage} copies. */
export interface CopyImageOptions {
  /** `layers` is one directory copied as it is, whiteouts and overlay xattrs included. */
  verbatim?: boolean;
}

/**
 * Copies the merged view of `layers` (top first) into `dest`, missing or an
 * empty directory, with the image's owners and modes, as root or not (see
 * the module's documentation). On failure `dest` is as it was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyImage } from "./copy_image.ts";
 *
 * const dir = Deno.makeTempDirSync(); // layers as `store.layersOf(chain)` gives them, top first
 * Deno.mkdirSync(`${dir}/layer`);
 * Deno.writeTextFileSync(`${dir}/layer/hello`, "hi\n");
 * await copyImage([`${dir}/layer`], `${dir}/rootfs`); // or NeedsPrivilege: a file closed to you
 * assert.equal(Deno.readTextFileSync(`${dir}/rootfs/hello`), "hi\n");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function copyImage(
  layers: string[],
  dest: string,
  options: CopyImageOptions = {},
): Promise<void> {
  const { verbatim } = options;
  const deferred = deferredMetadata();
  if (deferred === undefined) return copyTree(layers, dest, { verbatim });
  // A look first (an access(2) a file: 50-60 ms for Debian's 6,700): Debian's and Ubuntu's
  // images hold apt's `partial` directories, _apt's and closed, and a copy made in vain before
  // starting again would cost up to a whole copy more.
  readLayersAsImageRoot(layers, { lookFirst: true });
  const existed = exists(dest);
  await orAsImageRoot(() => Promise.resolve(copyTree(layers, dest, { deferred, verbatim })));
  try {
    // Chowned where it is: `dest` itself stays the caller's unless the image's root is
    // another's (add-layer moves its copy into the store only when it is the caller's).
    await applyDeferred(deferred, []);
  } catch (error) {
    // The child may have closed some files to the caller.
    await removeWritten(dest, !existed);
    throw wrap(error, `copy to ${dest}`);
  }
}
