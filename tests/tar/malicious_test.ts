import assert from "node:assert/strict";
import { extractTar } from "../../core/tar/extract.ts";
import { importTar } from "../../core/images/tarball/import_tar.ts";
import {
  AS_ROOT,
  assertStoreUntouched,
  buildArchive,
  type FixtureEntry,
  freshStore,
  names,
  writeTemp,
} from "../support/tar_fixtures.ts";

/**
 * Archives that try to write outside the directory they are extracted into.
 * `canary` is an outside directory with one file in it; each case names what
 * the error must say.
 */
const CASES: [string, (canary: string) => FixtureEntry[], RegExp][] = [
  ["a parent reference", () => [{ name: "../evil", type: "file", body: "x" }], /".." component/],
  [
    "an absolute name",
    (canary) => [{ name: `${canary}/evil`, type: "file", body: "x" }],
    /name is absolute/,
  ],
  [
    "a parent reference after a directory",
    () => [{ name: "a/", type: "directory" }, { name: "a/../../evil", type: "file", body: "x" }],
    /".." component/,
  ],
  [
    "a write through a symlink to an outside directory",
    (canary) => [
      { name: "link", type: "symlink", linkname: canary },
      { name: "link/evil", type: "file", body: "x" },
    ],
    /"link" is a symlink/,
  ],
  [
    "a directory through a symlink",
    (canary) => [
      { name: "link", type: "symlink", linkname: canary },
      { name: "link/sub/", type: "directory" },
    ],
    /"link" is a symlink/,
  ],
  [
    "a symlink that climbs above the root",
    () => [{ name: "up", type: "symlink", linkname: "../.." }],
    /symlink target "..\/.." leaves the archive's root/,
  ],
  [
    "a nested symlink that climbs above the root",
    () => [{ name: "dir/a", type: "symlink", linkname: "../../.." }],
    /leaves the archive's root/,
  ],
  [
    "a hard link to a parent reference",
    () => [{ name: "passwd", type: "link", linkname: "../../etc/passwd" }],
    /hard link target "..\/..\/etc\/passwd" has a ".." component/,
  ],
  [
    "a hard link to an absolute path",
    () => [{ name: "passwd", type: "link", linkname: "/etc/passwd" }],
    /hard link target "\/etc\/passwd" is absolute/,
  ],
  [
    "a hard link through a symlinked directory",
    (canary) => [
      { name: "dir", type: "symlink", linkname: canary },
      { name: "stolen", type: "link", linkname: "dir/file" },
    ],
    /"dir" is a symlink/,
  ],
  [
    "a hard link through a relative symlink",
    () => [
      { name: "real/", type: "directory" },
      { name: "real/file", type: "file", body: "x" },
      { name: "alias", type: "symlink", linkname: "real" },
      { name: "stolen", type: "link", linkname: "alias/file" },
    ],
    /"alias" is a symlink/,
  ],
  [
    "a hard link to a name not extracted",
    () => [{ name: "x", type: "link", linkname: "missing" }],
    /hard link target "missing" does not exist/,
  ],
  [
    "a hard link to a directory",
    () => [{ name: "d/", type: "directory" }, { name: "x", type: "link", linkname: "d" }],
    /is a directory/,
  ],
];

for (const [title, entries, message] of CASES) {
  Deno.test(
    `import refuses ${title}, writes nothing outside and publishes nothing`,
    AS_ROOT,
    async () => {
      using store = freshStore();
      const { images, data, dir } = store;
      const canary = `${dir}/canary`;
      Deno.mkdirSync(canary);
      Deno.writeTextFileSync(`${canary}/file`, "canary");
      const path = writeTemp(dir, "evil.tar", await buildArchive(entries(canary)));
      const counter = Deno.readTextFileSync(`${data}/id_counter`);

      await assert.rejects(importTar(images, path), (error: Error) => {
        assert.doesNotMatch(error.message, /\n/);
        assert.match(error.message, /^import-tar .*evil\.tar: archive entry "/);
        assert.match(error.message, message);
        return true;
      });
      assert.equal(Deno.readTextFileSync(`${data}/id_counter`), counter);
      assertStoreUntouched(data);

      // The same archive extracted three levels down in a sandbox: a write
      // that escaped would land beside the root or above it.
      const sandbox = `${dir}/sandbox`;
      Deno.mkdirSync(`${sandbox}/1/2/3/root`, { recursive: true });
      const input = (await Deno.open(path)).readable;
      await assert.rejects(extractTar(input, `${sandbox}/1/2/3/root`), message);
      for (const [level, expected] of [["", "1"], ["/1", "2"], ["/1/2", "3"], ["/1/2/3", "root"]]) {
        assert.deepEqual(names(`${sandbox}${level}`), [expected]);
      }
      assert.deepEqual(names(canary), ["file"]);
      assert.equal(Deno.statSync(`${canary}/file`).nlink, 1);
    },
  );
}

Deno.test("a later entry replaces a symlink instead of writing through it", AS_ROOT, async () => {
  using store = freshStore();
  const { images, dir } = store;
  const canary = `${dir}/canary`;
  Deno.mkdirSync(canary);
  const archive = await buildArchive([
    { name: "target", type: "symlink", linkname: `${canary}/written` },
    { name: "target", type: "file", body: "inside" },
    { name: "dirlink", type: "symlink", linkname: canary },
    { name: "dirlink/", type: "directory" },
  ]);
  const root = images.layer(await importTar(images, writeTemp(dir, "replace.tar", archive)));
  assert.deepEqual(names(canary), []);
  assert.equal(Deno.readTextFileSync(`${root}/target`), "inside");
  assert.ok(Deno.lstatSync(`${root}/dirlink`).isDirectory);
});

Deno.test("symlinks that stay inside the root, or are absolute, are kept", AS_ROOT, async () => {
  using store = freshStore();
  const { images, dir } = store;
  const archive = await buildArchive([
    { name: "a/b/up", type: "symlink", linkname: "../../c" },
    { name: "a/b/dots", type: "symlink", linkname: "./../x/../../y" },
    { name: "abs", type: "symlink", linkname: "/../../etc/passwd" },
  ]);
  const root = images.layer(await importTar(images, writeTemp(dir, "ok.tar", archive)));
  assert.equal(Deno.readLinkSync(`${root}/a/b/up`), "../../c");
  assert.equal(Deno.readLinkSync(`${root}/abs`), "/../../etc/passwd");
});

Deno.test("a malformed PAX header fails the import with one line", AS_ROOT, async () => {
  using store = freshStore();
  const { images, data, dir } = store;
  const archive = await buildArchive([
    { name: "x", type: "file", body: "x", pax: { "SCHILY.xattr.user.a": "1" } },
  ]);
  // The PAX records follow the first header block: break the first length.
  archive[512] = "x".charCodeAt(0);
  const path = writeTemp(dir, "pax.tar", archive);
  await assert.rejects(
    importTar(images, path),
    /: import-tar .*pax\.tar: bad archive: malformed PAX header$/,
  );
  assertStoreUntouched(data);
});
