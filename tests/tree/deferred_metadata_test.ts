/**
 * What an extraction as the caller leaves for namespace root
 * (core/tree/deferred_metadata.ts): notes kept by name, as data, and kept
 * right by the extractor when names are written again, removed or linked.
 */

import assert from "node:assert/strict";
import { DeferredMetadata } from "../../core/tree/deferred_metadata.ts";
import { extractTar } from "../../core/tar/extract.ts";
import { buildArchive } from "../support/tar_fixtures.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const CAPABILITY = new Uint8Array(20).fill(1);

function meta(uid: number, gid: number, mode: number, xattrs: [string, Uint8Array][] = []) {
  return { uid, gid, mode, atime: 0, mtime: 0, xattrs: new Map(xattrs) };
}

Deno.test("a note holds the owner, the mode to set again and the xattrs only root may set", () => {
  const notes = new DeferredMetadata((uid, gid) => uid <= 10 && gid <= 10);
  const now = notes.note(
    "/l/ping",
    meta(0, 5, 0o4755, [["security.capability", CAPABILITY], ["user.a", CAPABILITY]]),
    false,
  );
  assert.deepEqual([...now.keys()], ["user.a"]);
  notes.note("/l/link", meta(5, 5, 0o777), true);
  notes.note("/l/mine", meta(0, 0, 0o644), false);
  notes.note("/l/far", meta(0, 99, 0o644), false); // unmapped: stays the caller's, with a warning
  assert.deepEqual(Object.fromEntries(notes.entries), {
    "/l/ping": { uid: 0, gid: 5, mode: 0o4755, xattrs: [["security.capability", CAPABILITY]] },
    "/l/link": { uid: 5, gid: 5, mode: undefined, xattrs: [] },
  });
  notes.link("/l/ping", "/l/ping2");
  notes.forget("/l/ping");
  assert.deepEqual([...notes.entries.keys()], ["/l/link", "/l/ping2"]);
});

Deno.test("the extractor drops the notes of names it removes and copies them to hard links", async () => {
  using temp = new TempDirs();
  const root = temp.make();
  const archive = await buildArchive([
    { name: "a/", type: "directory", gid: 42 },
    { name: "a/x", body: "x", gid: 42 },
    { name: "b", body: "b", gid: 42, mode: 0o2755 },
    { name: "c", type: "link", linkname: "b" },
    { name: "b", body: "new" },
    // The directory becomes a symlink: nothing below it may be chowned through it.
    { name: "a", type: "symlink", linkname: "/etc" },
  ]);
  const notes = new DeferredMetadata(() => true);
  await extractTar(ReadableStream.from([archive]), root, { deferred: notes });
  assert.deepEqual(Object.fromEntries(notes.entries), {
    [`${root}/c`]: { uid: 0, gid: 42, mode: 0o2755, xattrs: [] },
  });
  assert.equal(Deno.readTextFileSync(`${root}/c`), "b");
});
