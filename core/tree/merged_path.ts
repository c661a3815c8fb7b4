/**
 * One path of an image looked up in its layer directories, as the mounted
 * overlay would show it, its symbolic links followed inside the image: what
 * lets the caller read an image's file (its /etc/passwd) without mounting,
 * and without root.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findMerged } from "./merged_path.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/1/usr/etc`, { recursive: true });
 * Deno.mkdirSync(`${dir}/2`);
 * Deno.writeTextFileSync(`${dir}/1/usr/etc/passwd`, "root:x:0:0::/root:/bin/sh\n");
 * Deno.symlinkSync("/usr/etc", `${dir}/2/etc`);
 * const found = findMerged([`${dir}/2`, `${dir}/1`], "/etc/passwd");
 * assert.equal(found?.source, `${dir}/1/usr/etc/passwd`);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { type TreeEntry, walkMergedAt } from "./merged_tree.ts";

/** How many symbolic links a lookup follows before it gives up, as the kernel's ELOOP. */
const MAX_LINKS = 40;

/**
 * The file the merged `layers` (top first) show at `path`, symbolic links
 * followed (an absolute target from the image's root, `..` stopping there);
 * undefined when the image has none, a link dangles or loops.
 */
export function findMerged(layers: string[], path: string): TreeEntry | undefined {
  const done: string[] = [];
  const todo = path.split("/").filter(Boolean);
  let links = 0;
  let entry: TreeEntry | undefined;
  while (todo.length > 0) {
    const name = todo.shift()!;
    if (name === "." || name === "..") {
      if (name === "..") done.pop();
      entry = undefined;
      continue;
    }
    done.push(name);
    entry = lookUp(layers, done);
    if (entry === undefined) return undefined;
    if (!entry.info.isSymlink) continue;
    if (++links > MAX_LINKS) return undefined;
    const target = Deno.readLinkSync(entry.source);
    done.pop();
    if (target.startsWith("/")) done.length = 0;
    todo.unshift(...target.split("/").filter(Boolean));
  }
  // The root itself is no file of the image's; a path that ended on "." or ".." is looked up.
  if (done.length === 0) return undefined;
  return entry ?? lookUp(layers, done);
}

function lookUp(layers: string[], names: string[]): TreeEntry | undefined {
  return walkMergedAt(layers, names.join("/")).next().value ?? undefined;
}
