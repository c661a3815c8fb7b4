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

import { setFileMode, setFileOwner, setFileTimes, setFileXattr, setOwnerAt } from "../../ffi/at.ts";
import { lchown, setTimesNoFollow, setXattr } from "../../ffi/file_attributes.ts";
import type { DeferredMetadata } from "./deferred_metadata.ts";
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
 * The owner, then the xattrs of `meta`, set with `setOwner` and `setOne`. In
 * a user namespace, owners that are not mapped become the caller's and
 * `trusted.*` xattrs are left out. With `deferred` (extracting as the
 * caller) the owner and the xattrs only namespace root may set are noted
 * there for `path` instead.
 */
function applyOwnerAndXattrs(
  meta: Metadata,
  setOwner: (uid: number, gid: number) => void,
  setOne: (name: string, value: Uint8Array) => void,
  deferred?: { notes: DeferredMetadata; path: string; isSymlink: boolean },
): void {
  let xattrs = meta.xattrs;
  if (deferred) xattrs = deferred.notes.note(deferred.path, meta, deferred.isSymlink);
  else orInNamespace("owner", () => setOwner(meta.uid, meta.gid), () => setOwner(0, 0));
  for (const [name, value] of xattrs) orInNamespace("xattr", () => setOne(name, value));
}

/**
 * Sets the owner, then the xattrs of `path` (see `applyOwnerAndXattrs`;
 * `deferred` notes what the caller cannot set).
 */
export function setOwnerAndXattrs(
  path: string,
  meta: Metadata,
  deferred?: DeferredMetadata,
  isSymlink = false,
): void {
  applyOwnerAndXattrs(
    meta,
    (uid, gid) => lchown(path, uid, gid),
    (name, value) => setXattr(path, name, value),
    deferred && { notes: deferred, path, isSymlink },
  );
}

/**
 * Sets the mode (skipped for symlinks) and then the times of `path`, the
 * mtime to the nanosecond when given (`meta`'s has milliseconds). For a
 * directory this runs after its children are written: a read-only mode would
 * stop the writes (without root) and every write would move its mtime.
 */
export function setModeAndTimes(
  path: string,
  meta: Metadata,
  isSymlink: boolean,
  mtimeNanoseconds?: bigint,
): void {
  if (!isSymlink) Deno.chmodSync(path, meta.mode & 0o7777);
  setTimesNoFollow(path, meta.atime, mtimeNanoseconds ?? meta.mtime);
}

/** All of the above for a file that is complete. */
export function setMetadata(
  path: string,
  meta: Metadata,
  isSymlink: boolean,
  deferred?: DeferredMetadata,
): void {
  setOwnerAndXattrs(path, meta, deferred, isSymlink);
  setModeAndTimes(path, meta, isSymlink);
}

/**
 * All of the above for the regular file open as `fd` (`shown` names it in
 * errors): four calls on the descriptor, no path looked up again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setOpenFileMetadata } from "./metadata.ts";
 * import { createFileAt } from "../../ffi/at.ts";
 * import { openPath } from "../../ffi/in_root.ts";
 * import { closeFd } from "../../ffi/sys.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const root = openPath(dir, { directory: true });
 * const fd = createFileAt(root, "f", 0o600);
 * const { uid, gid } = Deno.statSync(dir); // the caller's: chown to another needs root
 * const meta = { uid: uid!, gid: gid!, mode: 0o644, atime: 0, mtime: 0, xattrs: new Map() };
 * setOpenFileMetadata(fd, meta, `${dir}/f`);
 * [fd, root].forEach(closeFd);
 * assert.equal(Deno.statSync(`${dir}/f`).mode! & 0o7777, 0o644);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function setOpenFileMetadata(
  fd: number,
  meta: Metadata,
  shown: string,
  deferred?: DeferredMetadata,
): void {
  applyOwnerAndXattrs(
    meta,
    (uid, gid) => setFileOwner(fd, uid, gid, shown),
    (name, value) => setFileXattr(fd, name, value, shown),
    deferred && { notes: deferred, path: shown, isSymlink: false },
  );
  setFileMode(fd, meta.mode & 0o7777, shown);
  setFileTimes(fd, meta.atime, meta.mtime, shown);
}

/**
 * The owner of `name` in the directory `dirFd` (itself, if a symlink), then
 * its xattrs through `path`, the same file by name (xattrs are rare outside
 * regular files); `deferred` notes what the caller cannot set.
 */
export function setOwnerAndXattrsAt(
  dirFd: number,
  name: string,
  path: string,
  meta: Metadata,
  deferred?: DeferredMetadata,
  isSymlink = false,
): void {
  applyOwnerAndXattrs(
    meta,
    (uid, gid) => setOwnerAt(dirFd, name, uid, gid, path),
    (xattr, value) => setXattr(path, xattr, value),
    deferred && { notes: deferred, path, isSymlink },
  );
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
