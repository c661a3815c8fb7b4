/** Removing trees as the caller, what it may not in one namespace child (`core/runtime/tree_removal.ts`). */

import assert from "node:assert/strict";
import { removingTrees } from "../../core/runtime/tree_removal.ts";
import { TempDirs } from "../support/temp_dirs.ts";

/** A tree whose directory `d` is closed to its owner: without root, only the namespace's root may empty it. */
function closedTree(dir: string): string {
  Deno.mkdirSync(`${dir}/tree/d/e`, { recursive: true });
  Deno.writeTextFileSync(`${dir}/tree/d/e/f`, "f\n");
  Deno.chmodSync(`${dir}/tree/d`, 0);
  return `${dir}/tree`;
}

Deno.test("removingTrees removes every tree, those closed to the caller too, though the command fails", async () => {
  using temp = new TempDirs();
  const trees = [closedTree(temp.make()), closedTree(temp.make())];
  await assert.rejects(
    removingTrees((remove) => {
      for (const tree of trees) remove(tree);
      throw new Error("the command failed after its removals");
    }),
    /the command failed/,
  );
  for (const tree of trees) assert.throws(() => Deno.lstatSync(tree), Deno.errors.NotFound);
});

Deno.test("removingTrees returns what its body returns, and takes a tree already gone as removed", async () => {
  using temp = new TempDirs();
  const gone = `${temp.make()}/gone`;
  assert.equal(await removingTrees((remove) => (remove(gone), 3)), 3);
});
