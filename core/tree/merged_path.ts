/**
 * One path of an image looked up in its layer directories, as the mounted
 * overlay would show it, its symbolic links followed inside the image: what
 * lets the caller read an image's file (its /etc/passwd) without mounting,
 * and without root, and a Dockerfile's COPY and WORKDIR see what the image
 * already has at their path, as buildah would (the one resolver for both).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findMerged } from "./merged_path.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/1/usr/etc`, { recursive: true });
 * Deno.mkdirSync(`${dir}/2`);
 * Deno.writeTextFileSync(`${dir}/1/usr/etc/passwd`, "root:x:0:0::/root:/bin/sh\n");
 * Deno.symlinkSync("/usr/etc", `${dir}/2/etc`);
 * const found = findMerged([`${dir}/2`, `${dir}/1`], "/etc/passwd");
 * assert.equal(found?.source, `${dir}/1/usr/etc/passwd`);
 * assert.equal(found?.path, "usr/etc/passwd");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { MAX_LINKS } from "../../ffi/in_root.ts";
import { mergedChild, type MergedNode, mergedRoot, type TreeEntry } from "./merged_tree.ts";

/** A file of an image found by its path; its `path` is where it is, symbolic links resolved. */
export interface MergedFile extends TreeEntry {
  /**
   * For a directory: the layer directories merged into it, top first, as
   * overlayfs merges them (`walkMerged(merged)` lists it); empty for any
   * other file.
   */
  merged: string[];
}

/**
 * The file the merged `layers` (top first) show at `path`, symbolic links
 * followed (an absolute target from the image's root, `..` stopping there),
 * each directory on the way found in only the layers that make the one above
 * it (what hides a directory hides all it held); the root's `path` is "".
 * Undefined when the image has none, a link dangles or loops, or a name
 * follows a file that is no directory. What a caller without root may not
 * look at throws, never reads as absent: a layer directory it may not search
 * (`Deno.errors.PermissionDenied`), one whose `user.` xattrs it may not read
 * (`SyscallError` EACCES): a rootless build's COPY or WORKDIR then goes on
 * as root of plash's user namespace (`orAsImageRoot`, `image_root_reader.ts`).
 */
export function findMerged(layers: string[], path: string): MergedFile | undefined {
  const root = mergedRoot(layers);
  if (root === undefined) return undefined;
  // The directories from the root down to where the lookup is, symbolic links resolved.
  const stack: MergedNode[] = [root];
  const todo = path.split("/").filter(Boolean);
  let links = 0;
  while (todo.length > 0) {
    const name = todo.shift()!;
    if (!stack.at(-1)!.top.info.isDirectory) return undefined;
    if (name === ".") continue;
    if (name === "..") {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const node = mergedChild(layers, stack.at(-1)!, name);
    if (node === undefined) return undefined;
    if (!node.top.info.isSymlink) {
      stack.push(node);
      continue;
    }
    if (++links > MAX_LINKS) return undefined;
    const target = Deno.readLinkSync(node.top.source);
    if (target.startsWith("/")) stack.length = 1;
    todo.unshift(...target.split("/").filter(Boolean));
  }
  const { top, dirLayers } = stack.at(-1)!;
  return {
    ...top,
    merged: dirLayers.map((layer) =>
      top.path === "" ? layers[layer] : `${layers[layer]}/${top.path}`
    ),
  };
}
