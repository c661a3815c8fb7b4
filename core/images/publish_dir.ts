/**
 * Putting a directory an export staged where the user asked for it, whole
 * or not at all.
 *
 * @example
 * ```ts
 * import { publishDirectory } from "./publish_dir.ts";
 *
 * publishDirectory("/root/.plashdata/tmp/plashtmp_1_2_3/layout", "/srv/layout");
 * ```
 *
 * @module
 */

import { copyTree } from "../tree/copy_tree.ts";
import { removeTree } from "../store/tmp.ts";

/**
 * Moves directory `staged` to `target` (missing, or an empty directory) with
 * one rename(2). From another filesystem it is copied beside `target` first
 * and renamed from there, so `target` never holds part of it.
 */
export function publishDirectory(staged: string, target: string): void {
  try {
    Deno.renameSync(staged, target);
    return;
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "EXDEV")) throw error;
  }
  const partial = `${target}.plash-partial-${Deno.pid}`;
  try {
    copyTree([staged], partial, { verbatim: true });
    Deno.renameSync(partial, target);
  } catch (error) {
    removeTree(partial);
    throw error;
  }
}
