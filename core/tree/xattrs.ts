/**
 * Extended attributes of files in image layers.
 *
 * overlayfs keeps its own bookkeeping in `trusted.overlay.*` (or, mounted with
 * `userxattr`, `user.overlay.*`) xattrs: opaque directories, redirects, origin
 * file handles. Those describe a layer, not a file, so they never leave or
 * enter an image as a file's xattrs.
 *
 * @module
 */

import { SyscallError } from "../../ffi/errors.ts";
import { getXattr, listXattrs } from "../../ffi/sys.ts";

/** Whether `name` is one of overlayfs's own attributes. */
export function isOverlayXattr(name: string): boolean {
  return name.startsWith("trusted.overlay.") || name.startsWith("user.overlay.");
}

/**
 * The xattrs of `path` (the link itself for a symlink). A filesystem without
 * xattr support has none.
 */
export function readXattrs(path: string): Map<string, Uint8Array> {
  const xattrs = new Map<string, Uint8Array>();
  let names: string[];
  try {
    names = listXattrs(path);
  } catch (error) {
    if (error instanceof SyscallError && error.code === "EOPNOTSUPP") return xattrs;
    throw error;
  }
  for (const name of names.sort()) xattrs.set(name, getXattr(path, name));
  return xattrs;
}

/** `xattrs` without overlayfs's own attributes. */
export function fileXattrs(xattrs: Map<string, Uint8Array>): Map<string, Uint8Array> {
  return new Map([...xattrs].filter(([name]) => !isOverlayXattr(name)));
}
