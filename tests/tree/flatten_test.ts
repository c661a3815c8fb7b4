import assert from "node:assert/strict";
import { inodeTimes } from "../../ffi/stat.ts";
import { getXattr, listXattrs, setXattr } from "../../ffi/file_attributes.ts";
import { flattenLayers } from "../../core/tree/flatten.ts";
import { makeWhiteout, markOpaque } from "../../core/tree/overlay_format.ts";
import { TempDirs } from "../support/temp_dirs.ts";

function sh(cwd: string, script: string): void {
  const result = new Deno.Command("sh", { args: ["-c", script], cwd }).outputSync();
  assert.ok(result.success, new TextDecoder().decode(result.stderr));
}

/** Two layers, top first: the top deletes d/a, hides e's old contents, changes d's mode. */
function makeLayers(dirs: TempDirs): string[] {
  const [top, lower] = [dirs.make(), dirs.make()];
  sh(lower, "mkdir -p d e/old; echo a > d/a; echo b > d/b; echo o > e/old/o; ln -s d/b link");
  sh(lower, "mkfifo fifo; echo h > h; ln h h2");
  sh(top, "mkdir -p d e/new; echo n > e/new/n; chmod 0750 d; touch -d 2001-02-03 d");
  setXattr(`${top}/d`, "user.note", new TextEncoder().encode("kept"));
  makeWhiteout(`${top}/d/a`);
  markOpaque(`${top}/e`);
  return [top, lower];
}

Deno.test("a flattened tree is the merged view, every file but directories a hard link", () => {
  using dirs = new TempDirs();
  const [top, lower] = makeLayers(dirs);
  const flat = `${dirs.make()}/flat`;
  flattenLayers([top, lower], flat);
  const names = (dir: string) => [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
  assert.deepEqual(names(flat), ["d", "e", "fifo", "h", "h2", "link"]);
  assert.deepEqual(names(`${flat}/d`), ["b"], "the whiteout hides d/a and is not kept");
  assert.deepEqual(names(`${flat}/e`), ["new"], "the opaque directory hides e/old");
  for (
    const [path, layer] of [["d/b", lower], ["e/new/n", top], ["link", lower], ["fifo", lower]]
  ) {
    assert.equal(
      Deno.lstatSync(`${flat}/${path}`).ino,
      Deno.lstatSync(`${layer}/${path}`).ino,
      path,
    );
  }
  assert.equal(Deno.lstatSync(`${flat}/h`).ino, Deno.lstatSync(`${flat}/h2`).ino);
  const d = Deno.statSync(`${flat}/d`);
  assert.notEqual(d.ino, Deno.statSync(`${top}/d`).ino, "directories are made anew");
  assert.equal(d.mode! & 0o7777, 0o750);
  assert.equal(inodeTimes(`${flat}/d`).modified, inodeTimes(`${top}/d`).modified, "to the ns");
  assert.equal(new TextDecoder().decode(getXattr(`${flat}/d`, "user.note")), "kept");
  assert.deepEqual(listXattrs(`${flat}/e`).filter((name) => name.includes("overlay")), []);
});

Deno.test("a flattening that fails leaves nothing", () => {
  using dirs = new TempDirs();
  const layers = makeLayers(dirs);
  // A hard link cannot leave its filesystem: /dev/shm is a tmpfs, the layers are not.
  const shm = Deno.makeTempDirSync({ dir: "/dev/shm" });
  try {
    assert.throws(() => flattenLayers(layers, `${shm}/flat`), /copy to .*\/flat/);
    assert.deepEqual([...Deno.readDirSync(shm)], []);
  } finally {
    Deno.removeSync(shm, { recursive: true });
  }
});
