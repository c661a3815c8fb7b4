/**
 * Copying an image's merged view, or one layer as it is, into a directory
 * with everything a root filesystem needs: owners, modes with setuid, setgid
 * and sticky bits, hard links, symlinks, device nodes, fifos, xattrs and
 * modification times.
 *
 * Sockets are skipped: they are left-overs of a process that ran, and no
 * program can use a copied one.
 *
 * @module
 */

import { PlashError, wrap } from "../errors.ts";
import { mknod, S_IFBLK, S_IFCHR, S_IFIFO, splitDevice } from "../../ffi/device_nodes.ts";
import { inodeTimes } from "../../ffi/stat.ts";
import type { DeferredMetadata } from "./deferred_metadata.ts";
import { orInNamespace } from "./unprivileged.ts";
import { type TreeEntry, walkMerged, type WalkOptions } from "./merged_tree.ts";
import {
  type Metadata,
  metadataOf,
  setMetadata,
  setModeAndTimes,
  setOwnerAndXattrs,
} from "./metadata.ts";

/** How {@linkcode copyTree} copies. */
export interface CopyOptions extends WalkOptions {
  /**
   * Hard-link every file but directories (and sockets, skipped) to the
   * layers' instead of copying it (same filesystem only): fast and small,
   * but a write into such a file in place changes the layer.
   */
  linkFiles?: boolean;
  /**
   * Copying as a caller without root: what only root of the caller's user
   * namespace may set (other owners, the set-id bits a chown clears,
   * `security.*` xattrs) is noted here instead (`deferred_metadata.ts`).
   */
  deferred?: DeferredMetadata;
}

/**
 * Copies the merged view of `layers` (top first) into `dest`, which must be
 * missing or an empty directory. With `verbatim`, `layers` is one directory
 * copied as it is, whiteouts and overlay xattrs included. On failure, what
 * was copied is removed again (and `dest` too if this made it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync(); // layers as `store.layer(id)` gives them, top first
 * Deno.mkdirSync(`${dir}/1`);
 * Deno.mkdirSync(`${dir}/2`);
 * Deno.writeTextFileSync(`${dir}/1/hello`, "hi\n");
 * Deno.writeTextFileSync(`${dir}/2/hello`, "hello\n");
 * copyTree([`${dir}/2`, `${dir}/1`], `${dir}/rootfs`);
 * assert.equal(Deno.readTextFileSync(`${dir}/rootfs/hello`), "hello\n");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function copyTree(layers: string[], dest: string, options: CopyOptions = {}): void {
  const made = makeEmptyDir(dest);
  try {
    copyEntries(walkMerged(layers, options), dest, options.linkFiles ?? false, options.deferred);
  } catch (error) {
    undo(dest, made);
    throw wrap(error, `copy to ${dest}`);
  }
}

/** Removes what a failed copy wrote: `dest` itself when the copy made it. */
function undo(dest: string, made: boolean): void {
  if (made) return Deno.removeSync(dest, { recursive: true });
  for (const { name } of Deno.readDirSync(dest)) {
    Deno.removeSync(`${dest}/${name}`, { recursive: true });
  }
}

/**
 * Creates each of `entries` (directories before what they hold, as
 * `walkMerged` yields them) under `dest`, whose root must exist: the
 * entry with path "" sets `dest`'s own metadata. Files that are hard links
 * of one another among `entries` stay linked. With `deferred`, what the
 * caller may not set is noted there.
 */
export function copyEntries(
  entries: Iterable<TreeEntry>,
  dest: string,
  linkFiles = false,
  deferred?: DeferredMetadata,
): void {
  const links = new Map<string, string>();
  const dirs: { path: string; meta: Metadata; mtime: bigint }[] = [];
  for (const entry of entries) {
    const target = entry.path === "" ? dest : `${dest}/${entry.path}`;
    const meta = metadataOf(entry.info, entry.xattrs);
    if (entry.info.isDirectory) {
      if (entry.path !== "") Deno.mkdirSync(target);
      setOwnerAndXattrs(target, meta, deferred);
      // To the nanosecond: a checkpoint's directories show what the layers' show.
      dirs.push({ path: target, meta, mtime: inodeTimes(entry.source).modified });
    } else if (linkFiles && !entry.info.isSocket) {
      // The link is the layer's own inode: its metadata is already right.
      Deno.linkSync(entry.source, target);
    } else if (copyFile(entry, target, links)) {
      setMetadata(target, meta, entry.info.isSymlink, deferred);
    }
  }
  // Deepest first: setting a directory's mtime is the last change made in it.
  for (const { path, meta, mtime } of dirs.reverse()) setModeAndTimes(path, meta, false, mtime);
}

/** Creates `dest` and returns true, or checks that it is an empty directory. */
function makeEmptyDir(dest: string): boolean {
  try {
    Deno.mkdirSync(dest);
    return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw wrap(error, `copy to ${dest}`);
  }
  if (!Deno.lstatSync(dest).isDirectory) throw new PlashError(`not a directory: ${dest}`);
  for (const _ of Deno.readDirSync(dest)) throw new PlashError(`directory not empty: ${dest}`);
  return false;
}

/**
 * Creates the non-directory `entry` at `target`. Returns false when there is
 * no new inode to set metadata on: a second name of a hard-linked file, or a
 * skipped socket.
 */
function copyFile(entry: TreeEntry, target: string, links: Map<string, string>): boolean {
  const { info } = entry;
  if (info.isSocket) return false;
  const linked = (info.nlink ?? 1) > 1;
  // Hard links are only ever within one layer: overlay copies a file up alone.
  const key = `${entry.layer}:${info.dev}:${info.ino}`;
  const first = linked ? links.get(key) : undefined;
  if (first !== undefined) {
    Deno.linkSync(first, target);
    return false;
  }
  if (!createLike(entry, target)) return false;
  if (linked) links.set(key, target);
  return true;
}

/**
 * Creates a file of the kind of `entry` at `target`, with `entry`'s contents;
 * false for a device node that a user namespace may not make.
 */
function createLike({ info, source }: TreeEntry, target: string): boolean {
  if (info.isFile) Deno.copyFileSync(source, target);
  else if (info.isSymlink) Deno.symlinkSync(Deno.readLinkSync(source), target);
  else if (info.isFifo) mknod(target, S_IFIFO | 0o600);
  else {
    const { major, minor } = splitDevice(info.rdev ?? 0);
    let made = false;
    orInNamespace("device", () => {
      mknod(target, (info.isCharDevice ? S_IFCHR : S_IFBLK) | 0o600, major, minor);
      made = true;
    });
    return made;
  }
  return true;
}
