/**
 * What an extraction made as its (non-root) caller leaves for root of the
 * caller's user namespace: owners other than the caller, the set-id bits a
 * chown clears, and `security.*` xattrs (file capabilities), which only root
 * of a namespace may set. The extraction writes every entry as the caller
 * (namespace root is the caller itself) and notes here what it could not
 * do; `core/images/apply_deferred.ts` does it in one clone child.
 *
 * The notes are kept by path, as the writer keeps its directories: an entry
 * written again replaces its note, a removed name drops the notes at and
 * below it, and a hard link copies its target's, so that what the child
 * touches is always the last thing the archive put at that name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeferredMetadata } from "./deferred_metadata.ts";
 *
 * // A namespace mapping ids 0 to 65536, as a subordinate range does.
 * const deferred = new DeferredMetadata((uid, gid) => uid <= 65536 && gid <= 65536);
 * const meta = { uid: 0, gid: 42, mode: 0o2755, atime: 0, mtime: 0, xattrs: new Map() };
 * deferred.note("/stage/root/usr/bin/chage", meta, false);
 * assert.deepEqual([...deferred.entries.values()], [
 *   { uid: 0, gid: 42, mode: 0o2755, xattrs: [] },
 * ]);
 * deferred.forget("/stage/root/usr");
 * assert.equal(deferred.entries.size, 0);
 * ```
 *
 * @module
 */

import type { Metadata } from "./metadata.ts";
import { warnOnce } from "./unprivileged.ts";

/** What root of the namespace does to one name, in this order. */
export interface DeferredEntry {
  /** The owner (lchown), -1 where it stays the caller's. */
  uid: number;
  gid: number;
  /** The mode set again after the chown (undefined for a symlink, or when nothing is chowned). */
  mode?: number;
  /** Xattrs only namespace root may set, set after the chown that would clear them. */
  xattrs: [string, Uint8Array][];
}

/** The xattrs left for namespace root: `security.capability` and the rest of `security.*`. */
function deferredXattr(name: string): boolean {
  return name.startsWith("security.");
}

/** Notes, by absolute path, of what the caller could not do while extracting. */
export class DeferredMetadata {
  /** Absolute path -> what namespace root does to it. */
  readonly entries = new Map<string, DeferredEntry>();
  readonly #mapped: (uid: number, gid: number) => boolean;

  /**
   * `mapped` says whether an owner has a mapping in the caller's namespace;
   * owners that have none stay the caller's, with the warning a chown
   * refused in the namespace gives.
   */
  constructor(mapped: (uid: number, gid: number) => boolean) {
    this.#mapped = mapped;
  }

  /**
   * Notes what namespace root must do to `path`, just written by the caller
   * with `meta`, and returns the xattrs the caller sets itself.
   */
  note(path: string, meta: Metadata, isSymlink: boolean): Map<string, Uint8Array> {
    const own = meta.uid === 0 && meta.gid === 0;
    const mapped = this.#mapped(meta.uid, meta.gid);
    // Namespace root is the caller: what it owns already is owned by root.
    if (!own && !mapped) warnOnce("owner");
    const chown = !own && mapped;
    const now = new Map<string, Uint8Array>();
    const later: [string, Uint8Array][] = [];
    for (const [name, value] of meta.xattrs) {
      if (deferredXattr(name)) later.push([name, value]);
      else now.set(name, value);
    }
    if (!chown && later.length === 0) {
      this.entries.delete(path);
      return now;
    }
    this.entries.set(path, {
      uid: chown ? meta.uid : -1,
      gid: chown ? meta.gid : -1,
      mode: chown && !isSymlink ? meta.mode & 0o7777 : undefined,
      xattrs: later,
    });
    return now;
  }

  /** Drops the notes of `path` and of everything below it (the name was removed). */
  forget(path: string): void {
    const below = `${path}/`;
    for (const name of this.entries.keys()) {
      if (name === path || name.startsWith(below)) this.entries.delete(name);
    }
  }

  /** `path` is now a hard link to `target`: the same file, so the same note. */
  link(target: string, path: string): void {
    const entry = this.entries.get(target);
    if (entry) this.entries.set(path, entry);
    else this.entries.delete(path);
  }
}
