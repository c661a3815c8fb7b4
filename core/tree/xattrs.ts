/**
 * Extended attributes of files in image layers.
 *
 * @module
 */

import { SyscallError } from "../../ffi/errors.ts";
import { getXattr, listXattrs } from "../../ffi/file_attributes.ts";
import { isOverlayXattr } from "./overlay_format.ts";

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

/** `xattrs` without overlayfs's own attributes (see `overlay_format.ts`). */
export function fileXattrs(xattrs: Map<string, Uint8Array>): Map<string, Uint8Array> {
  return new Map([...xattrs].filter(([name]) => !isOverlayXattr(name)));
}
