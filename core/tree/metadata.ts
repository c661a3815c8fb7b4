/**
 * Applying a file's owner, mode, xattrs and times, in the order the kernel
 * requires: chown(2) clears setuid/setgid bits and file capabilities, so the
 * owner comes first, then xattrs and mode; times come last because every
 * other change bumps the ctime and some filesystems the mtime too.
 *
 * Nothing here follows a symlink: a link's own owner, xattrs and times are
 * set, and a link has no mode of its own to set.
 *
 * @module
 */

import { lchown, setTimesNoFollow, setXattr } from "../../ffi/sys.ts";
import { orInNamespace } from "./unprivileged.ts";

/** What a copy or an extraction keeps of a file besides its contents. */
export interface Metadata {
  uid: number;
  gid: number;
  /** Permission bits including setuid, setgid and sticky (0o7777). */
  mode: number;
  /** Seconds since the epoch, fractions allowed. */
  atime: number;
  /** Seconds since the epoch, fractions allowed. */
  mtime: number;
  xattrs: Map<string, Uint8Array>;
}

/**
 * Sets the owner, then the xattrs of `path`. In a user namespace, owners that
 * are not mapped become the caller's and `trusted.*` xattrs are left out.
 */
export function setOwnerAndXattrs(path: string, meta: Metadata): void {
  orInNamespace("owner", () => lchown(path, meta.uid, meta.gid), () => lchown(path, 0, 0));
  for (const [name, value] of meta.xattrs) {
    orInNamespace("xattr", () => setXattr(path, name, value));
  }
}

/**
 * Sets the mode (skipped for symlinks) and then the times of `path`. For a
 * directory this runs after its children are written: a read-only mode would
 * stop the writes (without root) and every write would move its mtime.
 */
export function setModeAndTimes(path: string, meta: Metadata, isSymlink: boolean): void {
  if (!isSymlink) Deno.chmodSync(path, meta.mode & 0o7777);
  setTimesNoFollow(path, meta.atime, meta.mtime);
}

/** All of the above for a file that is complete. */
export function setMetadata(path: string, meta: Metadata, isSymlink: boolean): void {
  setOwnerAndXattrs(path, meta);
  setModeAndTimes(path, meta, isSymlink);
}

/** The metadata of a file as `Deno.lstat` saw it, with `xattrs` already read. */
export function metadataOf(info: Deno.FileInfo, xattrs: Map<string, Uint8Array>): Metadata {
  const seconds = (date: Date | null) => (date ?? new Date(0)).getTime() / 1000;
  return {
    uid: info.uid ?? 0,
    gid: info.gid ?? 0,
    mode: (info.mode ?? 0) & 0o7777,
    atime: seconds(info.atime),
    mtime: seconds(info.mtime),
    xattrs,
  };
}
