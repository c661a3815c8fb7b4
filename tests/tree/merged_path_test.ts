/**
 * `findMerged`: an image's file found in its layers as the mounted overlay
 * shows it, links followed inside the image, whiteouts and opaque
 * directories honoured.
 */

import assert from "node:assert/strict";
import { findMerged } from "../../core/tree/merged_path.ts";
import { mknod, S_IFCHR } from "../../ffi/device_nodes.ts";
import { setXattr } from "../../ffi/file_attributes.ts";
import { TempDirs } from "../support/temp_dirs.ts";

Deno.test("findMerged takes the top layer's file and follows links inside the image", () => {
  using temp = new TempDirs();
  const dir = temp.make();
  const [top, middle, bottom] = [`${dir}/3`, `${dir}/2`, `${dir}/1`];
  for (const layer of [top, middle, bottom]) Deno.mkdirSync(`${layer}/etc`, { recursive: true });
  Deno.writeTextFileSync(`${bottom}/etc/passwd`, "old\n");
  Deno.writeTextFileSync(`${middle}/etc/passwd`, "new\n");
  Deno.mkdirSync(`${bottom}/usr/lib`, { recursive: true });
  Deno.writeTextFileSync(`${bottom}/usr/lib/group`, "group\n");
  // Relative, absolute and escaping links all stay in the image.
  Deno.symlinkSync("../usr/lib/group", `${top}/etc/group`);
  Deno.symlinkSync("/../../etc/passwd", `${top}/etc/escape`);
  Deno.symlinkSync("loop", `${top}/etc/loop`);
  const layers = [top, middle, bottom];
  assert.equal(findMerged(layers, "/etc/passwd")?.source, `${middle}/etc/passwd`);
  assert.equal(findMerged(layers, "/etc/group")?.source, `${bottom}/usr/lib/group`);
  assert.equal(findMerged(layers, "/etc/escape")?.source, `${middle}/etc/passwd`);
  assert.equal(findMerged(layers, "/etc/./x/../passwd"), undefined, "x is not there");
  assert.equal(findMerged(layers, "/usr/lib/..")?.source, `${bottom}/usr`);
  assert.equal(findMerged(layers, "/etc/loop"), undefined);
  assert.equal(findMerged(layers, "/")?.source, top, "the root is the top layer's");
  assert.equal(findMerged(layers, "/")?.path, "");
  assert.equal(findMerged(layers, "/etc/passwd/."), undefined, "a file is no directory");
  assert.equal(findMerged(layers, "/etc/passwd/.."), undefined);
  assert.equal(findMerged([], "/etc/passwd"), undefined, "scratch has nothing");
});

Deno.test("findMerged honours a whiteout and an opaque directory", () => {
  using temp = new TempDirs();
  const dir = temp.make();
  const [top, bottom] = [`${dir}/2`, `${dir}/1`];
  for (const layer of [top, bottom]) Deno.mkdirSync(`${layer}/etc`, { recursive: true });
  Deno.writeTextFileSync(`${bottom}/etc/passwd`, "old\n");
  Deno.mkdirSync(`${bottom}/srv`);
  Deno.writeTextFileSync(`${bottom}/srv/file`, "hidden\n");
  mknod(`${top}/etc/passwd`, S_IFCHR, 0, 0);
  Deno.mkdirSync(`${top}/srv`);
  setXattr(`${top}/srv`, "user.overlay.opaque", new TextEncoder().encode("y"));
  assert.equal(findMerged([top, bottom], "/etc/passwd"), undefined);
  assert.equal(findMerged([top, bottom], "/srv/file"), undefined);
  assert.equal(findMerged([bottom], "/srv/file")?.source, `${bottom}/srv/file`);
});

Deno.test("findMerged: what hides a directory in an upper layer hides all it held", () => {
  using temp = new TempDirs();
  const dir = temp.make();
  const [top, middle, bottom] = [`${dir}/3`, `${dir}/2`, `${dir}/1`];
  for (const layer of [top, middle]) Deno.mkdirSync(layer);
  for (const name of ["opaque", "whited", "filed", "linked", "real"]) {
    Deno.mkdirSync(`${bottom}/${name}/sub`, { recursive: true });
    Deno.writeTextFileSync(`${bottom}/${name}/sub/file`, "hidden\n");
  }
  // An opaque directory in the top layer; a whiteout in the middle one under a new directory
  // in the top one (a RUN rm, then a RUN mkdir); a file; a symlink to another directory.
  Deno.mkdirSync(`${top}/opaque`);
  setXattr(`${top}/opaque`, "user.overlay.opaque", new TextEncoder().encode("y"));
  mknod(`${middle}/whited`, S_IFCHR, 0, 0);
  Deno.mkdirSync(`${top}/whited`);
  Deno.writeTextFileSync(`${top}/whited/new`, "new\n");
  Deno.writeTextFileSync(`${middle}/filed`, "a file\n");
  Deno.symlinkSync("real", `${top}/linked`);
  Deno.mkdirSync(`${top}/real`);
  const layers = [top, middle, bottom];
  assert.equal(findMerged(layers, "/opaque")?.source, `${top}/opaque`);
  assert.deepEqual(findMerged(layers, "/opaque")?.merged, [`${top}/opaque`]);
  assert.equal(findMerged(layers, "/opaque/sub"), undefined);
  assert.equal(findMerged(layers, "/opaque/sub/file"), undefined);
  assert.deepEqual(findMerged(layers, "/whited")?.merged, [`${top}/whited`]);
  assert.equal(findMerged(layers, "/whited/sub"), undefined);
  assert.equal(findMerged(layers, "/whited/new")?.source, `${top}/whited/new`);
  assert.equal(findMerged(layers, "/filed")?.source, `${middle}/filed`);
  assert.deepEqual(findMerged(layers, "/filed")?.merged, []);
  assert.equal(findMerged(layers, "/filed/sub"), undefined);
  const linked = findMerged(layers, "/linked/sub/file");
  assert.equal(linked?.source, `${bottom}/real/sub/file`, "the link's target, not the old dir");
  assert.equal(linked?.path, "real/sub/file");
  assert.deepEqual(findMerged(layers, "/linked/sub")?.merged, [`${bottom}/real/sub`]);
  assert.deepEqual(findMerged(layers, "/real")?.merged, [`${top}/real`, `${bottom}/real`]);
  // `..` after a link goes up from where the link led, as the kernel does.
  assert.equal(findMerged(layers, "/linked/../whited/new")?.source, `${top}/whited/new`);
  assert.equal(findMerged(layers, "/real/sub/../../linked/sub/file")?.path, "real/sub/file");
  assert.equal(findMerged([bottom], "/whited/sub/file")?.source, `${bottom}/whited/sub/file`);
});

Deno.test("findMerged: a symlink over a lower directory replaces it on the way; loops end", () => {
  using temp = new TempDirs();
  const dir = temp.make();
  const [top, bottom] = [`${dir}/2`, `${dir}/1`];
  Deno.mkdirSync(`${top}/etc`, { recursive: true });
  Deno.mkdirSync(`${bottom}/etc`, { recursive: true });
  Deno.mkdirSync(`${bottom}/usr/share`, { recursive: true });
  Deno.writeTextFileSync(`${bottom}/usr/share/passwd`, "old\n");
  Deno.symlinkSync("../usr/share/passwd", `${bottom}/etc/passwd`);
  Deno.symlinkSync("./loop-b", `${top}/etc/loop-a`);
  Deno.symlinkSync("../etc/loop-a", `${top}/etc/loop-b`);
  Deno.symlinkSync("/etc/self/x", `${top}/etc/self`);
  Deno.symlinkSync("shared", `${top}/usr`);
  assert.equal(findMerged([top, bottom], "/etc/passwd"), undefined, "/usr is now a dangling link");
  assert.equal(findMerged([bottom], "/etc/passwd")?.source, `${bottom}/usr/share/passwd`);
  assert.deepEqual(findMerged([top, bottom], "/etc/")?.merged, [`${top}/etc`, `${bottom}/etc`]);
  assert.equal(findMerged([top, bottom], "/etc/loop-b"), undefined);
  assert.equal(findMerged([top, bottom], "/etc/self"), undefined);
});
