/**
 * How overlayfs keeps a layer on disk, in one place: what a whiteout is,
 * what makes a directory opaque, and which xattrs are overlay's own.
 *
 * * A whiteout, hiding a name of the layers below, is a character device
 *   with device number 0/0. The kernel lets anyone make one.
 * * An opaque directory, hiding all that the layers below have at its path,
 *   carries the xattr `trusted.overlay.opaque` (overlay mounted as real root
 *   without `userxattr`) or `user.overlay.opaque` (with `userxattr`, which
 *   plash uses for every mount, so a directory's owner may set it without
 *   root) set to `y`.
 * * overlay keeps other bookkeeping (redirects, origins) in
 *   `trusted.overlay.*` and `user.overlay.*`: those describe a layer, not a
 *   file, so they never enter or leave an image as a file's xattrs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isOpaque, isWhiteout, makeWhiteout } from "./overlay_format.ts";
 *
 * const dir = Deno.makeTempDirSync(); // a layer
 * makeWhiteout(`${dir}/motd`);
 * assert.ok(isWhiteout(Deno.lstatSync(`${dir}/motd`))); // deleted in this layer
 * assert.ok(isOpaque(new Map([["user.overlay.opaque", new TextEncoder().encode("y")]])));
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { mknod, S_IFCHR } from "../../ffi/device_nodes.ts";
import { setXattr } from "../../ffi/file_attributes.ts";

/** The xattrs that mark a directory opaque; plash writes the `user.` one. */
const OPAQUE_XATTRS = ["trusted.overlay.opaque", "user.overlay.opaque"];
const OPAQUE_VALUE = "y";

/** Whether `info` (from lstat) is an overlay whiteout: a character device 0/0. */
export function isWhiteout(info: Deno.FileInfo): boolean {
  return info.isCharDevice === true && info.rdev === 0;
}

/** Makes an overlay whiteout at `path`, where nothing is. */
export function makeWhiteout(path: string): void {
  mknod(path, S_IFCHR | 0o600, 0, 0);
}

/** Whether a directory with `xattrs` is opaque. */
export function isOpaque(xattrs: Map<string, Uint8Array>): boolean {
  return OPAQUE_XATTRS.some((name) => {
    const value = xattrs.get(name);
    return value !== undefined && new TextDecoder().decode(value) === OPAQUE_VALUE;
  });
}

/** Marks directory `path` opaque for a `userxattr` mount, as plash mounts every overlay. */
export function markOpaque(path: string): void {
  setXattr(path, "user.overlay.opaque", new TextEncoder().encode(OPAQUE_VALUE));
}

/** Whether `name` is one of overlayfs's own attributes. */
export function isOverlayXattr(name: string): boolean {
  return name.startsWith("trusted.overlay.") || name.startsWith("user.overlay.");
}
