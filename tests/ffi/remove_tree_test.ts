/** Removing a tree with system calls alone (`ffi/remove_tree.ts`). */

import assert from "node:assert/strict";
import { prepareTreeRemoval, removeTreeBySyscalls } from "../../ffi/remove_tree.ts";
import { TempDirs } from "../support/temp_dirs.ts";

Deno.test("removeTreeBySyscalls removes nested directories, many names and links, not their targets", () => {
  using temp = new TempDirs();
  const outside = temp.make();
  Deno.writeTextFileSync(`${outside}/kept`, "kept\n");
  const tree = `${temp.make()}/tree`;
  Deno.mkdirSync(`${tree}/a/b/c`, { recursive: true });
  // More names than one getdents64 call returns.
  for (let i = 0; i < 2000; i++) Deno.writeTextFileSync(`${tree}/a/file-with-a-long-name-${i}`, "");
  Deno.symlinkSync(outside, `${tree}/a/b/link`);
  Deno.writeTextFileSync(`${tree}/a/b/c/.hidden`, "h\n");
  prepareTreeRemoval();
  removeTreeBySyscalls(tree);
  assert.throws(() => Deno.lstatSync(tree), Deno.errors.NotFound);
  assert.equal(Deno.readTextFileSync(`${outside}/kept`), "kept\n");
  removeTreeBySyscalls(tree); // gone already: no error
});
