/**
 * Putting a directory an export staged where the user asked for it, whole
 * or not at all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { publishDirectory } from "./publish_dir.ts";
 *
 * const dir = Deno.makeTempDirSync(); // a store's tmp/ and the user's target, say
 * Deno.mkdirSync(`${dir}/staged`);
 * Deno.writeTextFileSync(`${dir}/staged/index.json`, "{}");
 * publishDirectory(`${dir}/staged`, `${dir}/layout`);
 * assert.equal(Deno.readTextFileSync(`${dir}/layout/index.json`), "{}");
 * Deno.removeSync(dir, { recursive: true });
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
