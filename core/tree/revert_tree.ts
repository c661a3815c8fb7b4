/**
 * Putting a copy of an image back as it was, after a command ran in it: the
 * record taken while the copy was pristine is compared with the tree now, by
 * the comparison that finds a build step's changes (`tree_changes.ts`), and
 * each difference is undone:
 *
 * * a new entry (a new subtree, once) is removed;
 * * a changed or replaced non-directory, a replaced directory and a deleted
 *   entry are copied again from the image's layers (a subtree whole), a
 *   file changed in place included: its ctime tells, whatever its mtime;
 * * the directories' own owner, xattrs, mode and times are set back last,
 *   deepest first, so that what the revert did in them leaves no mtime moved.
 *
 * What the revert touched is then recorded again, and the record compared
 * with the pristine one in all but ctimes and inodes: what the revert could not restore (an xattr
 * added to a directory, a device node the image lacks) makes it fail, and
 * the copy is no use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordTree } from "./tree_changes.ts";
 * import { revertTree } from "./revert_tree.ts";
 * import { copyTree } from "./copy_tree.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/layer`);
 * Deno.writeTextFileSync(`${dir}/layer/hello`, "hi\n");
 * copyTree([`${dir}/layer`], `${dir}/copy`);
 * const pristine = recordTree(`${dir}/copy`);
 * // ... a command runs chrooted in the copy ...
 * Deno.writeTextFileSync(`${dir}/copy/hello`, "changed\n");
 * const record = revertTree(pristine, `${dir}/copy`, [`${dir}/layer`]);
 * assert.ok(record); // undefined: the copy could not be reverted, remove it
 * assert.equal(Deno.readTextFileSync(`${dir}/copy/hello`), "hi\n");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { copyEntries } from "./copy_tree.ts";
import { type TreeEntry, walkMergedAt } from "./merged_tree.ts";
import { metadataOf, setOwnerAndXattrs } from "./metadata.ts";
import { setTimesNoFollow } from "../../ffi/file_attributes.ts";
import {
  parentOf,
  type RecordedEntry,
  recordEntry,
  recordTree,
  sameXattrs,
  treeChanges,
  type TreeRecord,
} from "./tree_changes.ts";
import { removeTree } from "../store/tmp.ts";

/**
 * Reverts the tree at `root`, a copy of the image of `layers` (top first),
 * to the state `pristine` recorded; returns the record of the reverted tree,
 * or undefined when it could not be made the same.
 */
export function revertTree(
  pristine: TreeRecord,
  root: string,
  layers: string[],
): TreeRecord | undefined {
  const now = recordTree(root);
  const { changes, gone } = treeChanges(pristine, now);
  const removed: string[] = [];
  const restored = new Set<string>(gone);
  const dirs = new Set<string>([""]);
  let top: string | undefined;
  for (const [path, change] of changes) {
    // Walk order: what a removed subtree holds follows it.
    if (top !== undefined && path.startsWith(`${top}/`)) continue;
    if (change === "changed" && pristine.get(path)!.info.isDirectory) {
      dirs.add(path);
      continue;
    }
    removed.push(top = path);
    if (change !== "new") restored.add(path);
  }
  for (const path of [...removed, ...restored]) dirs.add(parentOf(path));
  for (const path of removed) removeTree(`${root}/${path}`);
  // In walk order, each one once: parents before children, hard links kept among them.
  const entries: TreeEntry[] = [];
  for (const path of pristine.keys()) {
    if (!restored.has(path)) continue;
    const before = entries.length;
    entries.push(...walkMergedAt(layers, path));
    if (entries.length === before) return undefined;
  }
  copyEntries(entries, root);
  for (const path of [...pristine.keys()].filter((path) => dirs.has(path)).reverse()) {
    const { info, xattrs, times } = pristine.get(path)!;
    const dir = path === "" ? root : `${root}/${path}`;
    const meta = metadataOf(info, xattrs);
    setOwnerAndXattrs(dir, meta);
    Deno.chmodSync(dir, meta.mode);
    // To the nanosecond: a number of seconds would move the mtime a little each revert.
    setTimesNoFollow(dir, meta.atime, times.modified);
  }
  // Only what the revert touched is recorded again: the rest compared equal, ctimes included.
  const touched = new Set([...entries.map((entry) => entry.path), ...dirs]);
  const record: TreeRecord = new Map();
  for (const path of pristine.keys()) {
    const entry = touched.has(path) ? recordEntry(root, path) : now.get(path);
    if (entry === undefined) return undefined;
    record.set(path, entry);
  }
  return sameShape(pristine, record) ? record : undefined;
}

/**
 * Whether two records hold the same entries, alike in all but ctimes and
 * inodes (a link's target is right: a link changed is a new one, restored).
 */
function sameShape(a: TreeRecord, b: TreeRecord): boolean {
  if (a.size !== b.size) return false;
  for (const [path, was] of a) {
    const now = b.get(path);
    if (now === undefined || !alike(was, now)) return false;
  }
  return true;
}

function alike(was: RecordedEntry, now: RecordedEntry): boolean {
  const [a, b] = [was.info, now.info];
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.size === b.size &&
    a.nlink === b.nlink && a.rdev === b.rdev && was.times.modified === now.times.modified &&
    sameXattrs(was.xattrs, now.xattrs);
}
