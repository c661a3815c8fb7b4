/**
 * What a command changed in a directory tree, found without overlayfs: a
 * record of the tree taken before (each entry's lstat and xattrs), compared
 * with the tree after, and the difference written in the form overlay gives
 * its upper layer, so that it publishes as a layer made with mounts does:
 *
 * * a new or changed entry is copied whole (overlay's copy-up), with every
 *   directory above it (their own metadata, not their contents);
 * * a deleted entry becomes a whiteout (only the topmost of a deleted
 *   subtree);
 * * a directory where the record had something else (another directory,
 *   told by its inode number and birth time, or a file) is copied with all it holds and marked
 *   opaque, hiding the old one's contents.
 *
 * An entry counts as changed when its type, inode, mode, owner, link count,
 * size, mtime, ctime (to the nanosecond), xattrs or link target differ. The
 * ctime is the one a command cannot set back: a write that restores the size
 * and mtime still moves it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordTree, writeTreeChanges } from "./tree_changes.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/copy`);
 * Deno.writeTextFileSync(`${dir}/copy/old`, "");
 * const before = recordTree(`${dir}/copy`);
 * // ... a command runs chrooted in the copy ...
 * Deno.writeTextFileSync(`${dir}/copy/hello`, "hi\n");
 * Deno.removeSync(`${dir}/copy/old`);
 * const after = writeTreeChanges(before, `${dir}/copy`, `${dir}/layer`);
 * assert.equal(Deno.readTextFileSync(`${dir}/layer/hello`), "hi\n");
 * assert.ok(Deno.lstatSync(`${dir}/layer/old`).isCharDevice); // a whiteout
 * assert.ok(after.has("hello"));
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { type InodeTimes, inodeTimes } from "../../ffi/stat.ts";
import { copyEntries } from "./copy_tree.ts";
import { type TreeEntry, walkMerged } from "./merged_tree.ts";
import { makeWhiteout, markOpaque } from "./overlay_format.ts";
import { readXattrs } from "./xattrs.ts";

/** One entry of a record: its lstat and xattrs, and its ctime and birth time to the nanosecond. */
export interface RecordedEntry extends TreeEntry {
  times: InodeTimes;
}

/** Every entry of a tree by path, in walk order (directories before what they hold). */
export type TreeRecord = Map<string, RecordedEntry>;

/** Names at the tree's top (like `dev`) that a record and a diff leave out, with all they hold. */
export type Ignored = ReadonlySet<string>;

/** Records the tree at `root`: each entry's lstat and xattrs, but no contents. */
export function recordTree(root: string, ignored: Ignored = new Set()): TreeRecord {
  const record: TreeRecord = new Map();
  for (const entry of walkMerged([root], { verbatim: true })) {
    if (!isIgnored(entry.path, ignored)) {
      record.set(entry.path, { ...entry, times: inodeTimes(entry.source) });
    }
  }
  return record;
}

/** Records the one entry at `path` of the tree at `root`, as {@linkcode recordTree} does. */
export function recordEntry(root: string, path: string): RecordedEntry {
  const source = path === "" ? root : `${root}/${path}`;
  const [info, xattrs, times] = [Deno.lstatSync(source), readXattrs(source), inodeTimes(source)];
  return { path, source, info, layer: 0, xattrs, times };
}

/** `record` without the names of `ignored` and what they hold. */
export function withoutIgnored(record: TreeRecord, ignored: Ignored): TreeRecord {
  return new Map([...record].filter(([path]) => !isIgnored(path, ignored)));
}

function isIgnored(path: string, ignored: Ignored): boolean {
  return ignored.has(path.split("/")[0]);
}

/**
 * The record as text, one line an entry with everything a comparison of
 * records looks at but the link target (a new link is a new inode): two
 * records of a tree are equal text only if nothing in it changed between
 * them, since the ctime, which every change moves, cannot be set back.
 */
export function recordText(record: TreeRecord): string {
  const lines: string[] = [];
  for (const { path, info, times, xattrs } of record.values()) {
    const xattrText = [...xattrs].map(([name, value]) => `${name}=${value.join(",")}`).join(";");
    lines.push(
      [
        JSON.stringify(path),
        info.mode,
        info.uid,
        info.gid,
        info.size,
        info.nlink,
        info.rdev,
        info.ino,
        times.modified,
        times.changed,
        times.born,
        xattrText,
      ].join(" "),
    );
  }
  return lines.join("\n");
}

/** What changed at one path: under a new or replaced directory everything is new. */
export type Change = "new" | "changed" | "replaced";

/** The difference of two records of one tree. */
export interface TreeChanges {
  /** Each new, changed or replaced path, in walk order. */
  changes: Map<string, Change>;
  /** The topmost path of each deleted subtree (none under a replaced entry). */
  gone: string[];
}

/** How the tree recorded as `after` differs from the one recorded as `before`. */
export function treeChanges(before: TreeRecord, after: TreeRecord): TreeChanges {
  const changes = new Map<string, Change>();
  for (const [path, entry] of after) {
    const change = compare(before.get(path), entry, changes.get(parentOf(path)));
    if (change !== undefined) changes.set(path, change);
  }
  return { changes, gone: [...deletions(before, after, changes)] };
}

/**
 * Writes into `dest` (missing or an empty directory) what changed in the
 * tree at `root` since `before` was recorded, as an overlay upper layer;
 * returns the record of the tree as it is now (for the next command's
 * changes).
 */
export function writeTreeChanges(
  before: TreeRecord,
  root: string,
  dest: string,
  ignored: Ignored = new Set(),
): TreeRecord {
  const after = recordTree(root, ignored);
  const { changes, gone } = treeChanges(before, after);
  // The layer: the changed entries and every directory above one or above a whiteout.
  const kept = new Set<string>([""]);
  for (const path of [...changes.keys(), ...gone.map(parentOf)]) {
    for (let up = path; up !== "" && !kept.has(up); up = parentOf(up)) kept.add(up);
  }
  Deno.mkdirSync(dest, { recursive: true });
  copyEntries([...after.values()].filter((entry) => kept.has(entry.path)), dest);
  for (const path of gone) {
    makeWhiteout(`${dest}/${path}`);
    // Mode 0, as the kernel makes overlay's: an exported layer carries it.
    Deno.chmodSync(`${dest}/${path}`, 0);
  }
  for (const [path, change] of changes) {
    if (change === "replaced" && after.get(path)!.info.isDirectory) markOpaque(`${dest}/${path}`);
  }
  return after;
}

/**
 * How `now` differs from `was`, the same path's entry in the record; under
 * a new or replaced directory everything is new to the layer.
 */
function compare(
  was: RecordedEntry | undefined,
  now: RecordedEntry,
  parent?: Change,
): Change | undefined {
  if (now.path === "") return undefined;
  if (parent === "new" || parent === "replaced" || was === undefined) return "new";
  const [a, b] = [was.info, now.info];
  // A new inode may reuse a deleted one's number (ext4 does at once): its birth time differs.
  if (kind(a) !== kind(b) || a.ino !== b.ino || was.times.born !== now.times.born) {
    return "replaced";
  }
  if (
    a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.size !== b.size ||
    a.nlink !== b.nlink || a.rdev !== b.rdev || time(a.mtime) !== time(b.mtime) ||
    was.times.changed !== now.times.changed ||
    !sameXattrs(was.xattrs, now.xattrs)
  ) {
    return "changed";
  }
  // A symlink replaced in place keeps no inode; its target says it changed.
  if (b.isSymlink && Deno.readLinkSync(was.source) !== Deno.readLinkSync(now.source)) {
    return "changed";
  }
  return undefined;
}

/**
 * The recorded paths that are gone, each subtree once (its topmost path);
 * under a replaced entry nothing is (the opaque directory or the file hides it).
 */
function* deletions(
  before: TreeRecord,
  after: TreeRecord,
  changes: Map<string, Change>,
): Generator<string> {
  let gone: string | undefined;
  for (const path of before.keys()) {
    if (gone !== undefined && path.startsWith(`${gone}/`)) continue;
    gone = undefined;
    const now = after.get(path);
    if (now === undefined) {
      gone = path;
      yield path;
    } else if (changes.get(path) === "replaced") {
      gone = path;
    }
  }
}

/** The path of the directory holding `path` ("" for a top-level name). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

function kind(info: Deno.FileInfo): number {
  return (info.mode ?? 0) & 0o170000;
}

function time(date: Date | null): number | undefined {
  return date?.getTime();
}

/** Whether two entries' xattrs are the same names with the same values. */
export function sameXattrs(a: Map<string, Uint8Array>, b: Map<string, Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, value] of a) {
    const other = b.get(name);
    if (other === undefined || !sameBytes(other, value)) return false;
  }
  return true;
}

/** Whether `a` and `b` hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
