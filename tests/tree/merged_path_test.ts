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
  assert.equal(findMerged(layers, "/"), undefined);
});

Deno.test("findMerged honours a whiteout and an opaque directory", {
  ignore: Deno.uid() !== 0, // a whiteout is a device node 0/0
}, () => {
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
