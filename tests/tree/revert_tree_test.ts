import assert from "node:assert/strict";
import { setXattr } from "../../ffi/file_attributes.ts";
import { copyTree } from "../../core/tree/copy_tree.ts";
import { makeWhiteout, markOpaque } from "../../core/tree/overlay_format.ts";
import { revertTree } from "../../core/tree/revert_tree.ts";
import { recordText, recordTree } from "../../core/tree/tree_changes.ts";
import { manifest } from "../support/tar_fixtures.ts";
import { TempDirs } from "../support/temp_dirs.ts";

// Whiteouts are device nodes: only root makes them outside a user namespace.
const ROOT = Deno.uid() === 0;

function sh(cwd: string, script: string): void {
  const result = new Deno.Command("sh", { args: ["-c", script], cwd }).outputSync();
  assert.ok(result.success, new TextDecoder().decode(result.stderr));
}

/** Two layers, top first: the top one deletes d/a and hides e's old contents. */
function makeLayers(dirs: TempDirs): string[] {
  const [top, lower] = [dirs.make(), dirs.make()];
  sh(
    lower,
    "mkdir -p d e/old; echo a > d/a; echo b > d/b; echo o > e/old/o; echo h > h; ln h h2; " +
      "ln -s d/b link; echo m > m",
  );
  sh(top, "mkdir -p d e/new; echo n > e/new/n; echo u > u");
  makeWhiteout(`${top}/d/a`);
  markOpaque(`${top}/e`);
  return [top, lower];
}

Deno.test("a copy reverts to its image from the layers, its record equal to a new one", {
  ignore: !ROOT,
}, () => {
  using dirs = new TempDirs();
  const layers = makeLayers(dirs);
  const copy = `${dirs.make()}/copy`;
  copyTree(layers, copy);
  const pristine = recordTree(copy);
  const image = manifest(copy);
  sh(
    copy,
    "echo more >> d/b; echo back > d/a; rm -r e; echo file > e; echo in-place >> h; " +
      "ln -sf m link; chmod 700 d; chown 7:7 u; rm m; mkdir -p new/deeper; echo f > new/deeper/f",
  );
  setXattr(`${copy}/u`, "user.added", new TextEncoder().encode("x"));
  const record = revertTree(pristine, copy, layers);
  assert.ok(record, "reverted");
  assert.deepEqual(manifest(copy), image);
  // What a claim compares: the record of what the revert touched, and of the rest, is the tree's.
  assert.equal(recordText(record), recordText(recordTree(copy)));
  assert.equal(revertTree(record, copy, layers)?.size, record.size, "nothing to revert");
});

Deno.test("a copy whose directory got an xattr cannot be reverted", { ignore: !ROOT }, () => {
  using dirs = new TempDirs();
  const layers = makeLayers(dirs);
  const copy = `${dirs.make()}/copy`;
  copyTree(layers, copy);
  const pristine = recordTree(copy);
  setXattr(`${copy}/d`, "user.added", new TextEncoder().encode("x"));
  assert.equal(revertTree(pristine, copy, layers), undefined);
});
