/**
 * The lexical rules an archive's names must follow before anything is
 * written: every name stays inside the directory the archive is extracted
 * into.
 *
 * @module
 */

import { PlashError } from "../errors.ts";

/**
 * The components of archive entry name `name`, with "." and empty components
 * dropped; [] is the archive's root. An absolute name, a ".." component or a
 * NUL byte fails with a one-line error that calls the name `what`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(normalizeEntryName("./usr//bin/"), ["usr", "bin"]);
 * assert.throws(() => normalizeEntryName("a/../b"), /name has a ".." component/);
 * ```
 */
export function normalizeEntryName(name: string, what = "name"): string[] {
  if (name.startsWith("/")) throw new PlashError(`${what} is absolute`);
  if (name.includes("\0")) throw new PlashError(`${what} has a NUL byte`);
  const parts = name.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) throw new PlashError(`${what} has a ".." component`);
  return parts;
}

/**
 * Whether a symlink at `parts` with relative target `target` climbs above
 * the root when resolved lexically (`a/b -> ../../..`). Absolute targets do
 * not: they are resolved inside the container's root at run time.
 */
export function climbsAboveRoot(parts: string[], target: string): boolean {
  if (target.startsWith("/")) return false;
  let depth = parts.length - 1;
  for (const part of target.split("/")) {
    if (part === "..") depth--;
    else if (part !== "" && part !== ".") depth++;
    if (depth < 0) return true;
  }
  return false;
}

/** `text` quoted so that control characters cannot break the one-line error. */
export function quote(text: string): string {
  return JSON.stringify(text);
}
