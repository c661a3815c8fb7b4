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

Deno.test("two removeTreeBySyscalls of one tree at once both succeed: what the other took is gone, no error", async () => {
  using temp = new TempDirs();
  const module = new URL("../../ffi/remove_tree.ts", import.meta.url).href;
  const remover = [
    "eval",
    `import { prepareTreeRemoval, removeTreeBySyscalls } from "${module}";
     prepareTreeRemoval();
     removeTreeBySyscalls(Deno.args[0]);`,
  ];
  for (let round = 0; round < 3; round++) {
    const tree = `${temp.make()}/tree`;
    for (let d = 0; d < 40; d++) {
      Deno.mkdirSync(`${tree}/d${d}/e`, { recursive: true });
      for (let f = 0; f < 40; f++) Deno.writeTextFileSync(`${tree}/d${d}/e/f${f}`, "");
    }
    // As `plash clean` and another remover (rm, a second clean) on one store's tmp/.
    const outputs = await Promise.all(
      [0, 1].map(() =>
        new Deno.Command(Deno.execPath(), { args: [...remover, "--", tree], stderr: "piped" })
          .output()
      ),
    );
    for (const output of outputs) {
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    }
    assert.throws(() => Deno.lstatSync(tree), Deno.errors.NotFound);
  }
});
