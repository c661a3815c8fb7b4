import assert from "node:assert/strict";
import { exportTar } from "../../core/images/tarball/export_tar.ts";
import { importTar } from "../../core/images/tarball/import_tar.ts";
import {
  AS_ROOT,
  buildArchive,
  CAPABILITY,
  freshStore,
  LONG_PATH,
  makeReferenceTree,
  manifest,
  names,
  readAll,
  retype,
  run,
  writeTemp,
} from "../support/tar_fixtures.ts";

Deno.test("a tree made by GNU tar survives import -> export -> import", AS_ROOT, async () => {
  using store = freshStore();
  const { images, data, dir } = store;
  const reference = Deno.makeTempDirSync({ dir });
  makeReferenceTree(reference);
  const archive = `${dir}/reference.tar`;
  await run("tar", [
    "--xattrs",
    "--xattrs-include=*",
    "--numeric-owner",
    "--format=posix",
    "-cf",
    archive,
    "-C",
    reference,
    ".",
  ]);

  const first = await importTar(images, archive);
  assert.deepEqual(manifest(images.layer(first)), manifest(reference));

  const exported = writeTemp(dir, "exported.tar", await readAll(exportTar(images, first)));
  const second = await importTar(images, exported);
  assert.deepEqual(manifest(images.layer(second)), manifest(reference));
  assert.deepEqual(names(`${data}/tmp`), []);

  // GNU tar reads plash's archives the same way.
  const byTar = Deno.makeTempDirSync({ dir });
  await run("tar", [
    "--xattrs",
    "--xattrs-include=*",
    "--numeric-owner",
    "-xpf",
    exported,
    "-C",
    byTar,
  ]);
  assert.deepEqual(manifest(byTar), manifest(reference));
});

Deno.test("what the reference tree holds is what the manifest checks", AS_ROOT, () => {
  using store = freshStore();
  makeReferenceTree(store.dir);
  const tree = manifest(store.dir);
  assert.equal(tree["bin/tool"].mode, "4755");
  assert.equal(tree["bin/tool"].uid, 1000);
  assert.equal(tree["bin/tool"].xattrs["security.capability"], toHex(CAPABILITY));
  assert.equal(tree["bin/tool-link"].hardLinkGroup, "bin/tool");
  assert.equal(tree["srv"].mode, "2775");
  assert.equal(tree["srv"].gid, 42);
  assert.equal(tree["tmp"].mode, "1777");
  assert.equal(tree["dev/null"].device, "1:3");
  assert.equal(tree["dev/sda1"].device, "8:1");
  assert.equal(tree["dev/fifo"].type, "fifo");
  assert.equal(tree["absolute-link"].target, "/bin/tool");
  assert.ok(`${LONG_PATH}/file-with-a-long-path`.length > 100);
  assert.equal(tree[`${LONG_PATH}/file-with-a-long-path`].type, "file");
});

Deno.test("an archive built entry by entry keeps every header field", AS_ROOT, async () => {
  using store = freshStore();
  const { images, dir } = store;
  const mtime = new Date(1_600_000_000_000);
  const longName = `${"d".repeat(60)}/${"e".repeat(60)}/${"f".repeat(60)}`;
  const archive = await buildArchive([
    { name: "./", type: "directory", mode: 0o755, mtime },
    { name: "home/", type: "directory", mode: 0o755, mtime },
    { name: "home/user/", type: "directory", mode: 0o700, uid: 1000, gid: 1000, mtime },
    {
      name: "home/user/notes",
      type: "file",
      mode: 0o640,
      uid: 1000,
      gid: 1000,
      mtime,
      body: "notes\n",
      pax: { "SCHILY.xattr.user.tag": "blue", "SCHILY.xattr.security.capability": CAPABILITY },
    },
    { name: "home/user/notes2", type: "link", linkname: "home/user/notes", mtime },
    { name: "usr/bin/su", type: "file", mode: 0o4755, mtime, body: "su" },
    { name: "var/mail/", type: "directory", mode: 0o2775, gid: 42, mtime },
    { name: "var/tmp/", type: "directory", mode: 0o1777, mtime },
    { name: "usr/bin/sh", type: "symlink", linkname: "dash", mtime },
    { name: "etc/mtab", type: "symlink", linkname: "/proc/self/mounts", mtime },
    { name: "dev/tty", type: "character-device", mode: 0o666, devmajor: 5, devminor: 0, mtime },
    { name: "dev/loop0", type: "block-device", mode: 0o660, devmajor: 7, devminor: 0, mtime },
    { name: "run/initctl", type: "fifo", mode: 0o600, mtime },
    { name: `${longName}/file`, type: "file", mode: 0o644, mtime, body: "long" },
    // Beyond ustar's fields: ids past 7 octal digits, times past 2038.
    { name: "big-ids", type: "file", body: "", pax: { uid: "3000000", mtime: "2240000000.5" } },
  ]);
  const first = await importTar(images, writeTemp(dir, "built.tar", archive));
  const tree = manifest(images.layer(first));
  assert.deepEqual(tree["home/user"], {
    type: "dir",
    mode: "700",
    uid: 1000,
    gid: 1000,
    xattrs: {},
    mtime: 1_600_000_000,
  });
  assert.equal(tree["home/user/notes"].xattrs["user.tag"], toHex(new TextEncoder().encode("blue")));
  assert.equal(tree["home/user/notes"].xattrs["security.capability"], toHex(CAPABILITY));
  assert.equal(tree["home/user/notes2"].hardLinkGroup, "home/user/notes");
  assert.equal(tree["usr/bin/su"].mode, "4755");
  assert.equal(tree["var/mail"].mode, "2775");
  assert.equal(tree["var/mail"].gid, 42);
  assert.equal(tree["var/tmp"].mode, "1777");
  assert.equal(tree["usr/bin/sh"].target, "dash");
  assert.equal(tree["etc/mtab"].target, "/proc/self/mounts");
  assert.equal(tree["dev/tty"].device, "5:0");
  assert.equal(tree["dev/loop0"].device, "7:0");
  assert.equal(tree["run/initctl"].type, "fifo");
  assert.equal(tree[`${longName}/file`].sha256?.length, 64);
  assert.equal(tree["big-ids"].uid, 3_000_000);
  assert.equal(tree["big-ids"].mtime, 2_240_000_000);
  // Directories the archive does not list are made 0755 root:root.
  assert.equal(tree["usr"].mode, "755");

  const exported = writeTemp(dir, "exported.tar", await readAll(exportTar(images, first)));
  const second = await importTar(images, exported);
  assert.deepEqual(manifest(images.layer(second)), tree);
});

Deno.test(
  "later entries replace earlier ones; a directory listed twice keeps its files",
  AS_ROOT,
  async () => {
    using store = freshStore();
    const { images, dir } = store;
    const archive = await buildArchive([
      { name: "a", type: "file", body: "first" },
      { name: "a", type: "file", body: "second" },
      { name: "d/", type: "directory", mode: 0o755 },
      { name: "d/kept", type: "file", body: "kept" },
      { name: "d/", type: "directory", mode: 0o700, uid: 7 },
      { name: "s", type: "symlink", linkname: "a" },
      { name: "s", type: "file", body: "no longer a link" },
      { name: "x/", type: "directory" },
      { name: "x/inner", type: "file", body: "gone" },
      { name: "x", type: "file", body: "a file now" },
    ]);
    const root = images.layer(await importTar(images, writeTemp(dir, "dup.tar", archive)));
    assert.equal(Deno.readTextFileSync(`${root}/a`), "second");
    assert.equal(Deno.readTextFileSync(`${root}/d/kept`), "kept");
    const d = Deno.statSync(`${root}/d`);
    assert.equal(d.mode! & 0o7777, 0o700);
    assert.equal(d.uid, 7);
    assert.ok(Deno.lstatSync(`${root}/s`).isFile);
    assert.equal(Deno.readTextFileSync(`${root}/x`), "a file now");
  },
);

Deno.test("overlay's own xattrs in an archive are dropped", AS_ROOT, async () => {
  using store = freshStore();
  const { images, dir } = store;
  const archive = await buildArchive([
    {
      name: "d/",
      type: "directory",
      pax: {
        "SCHILY.xattr.trusted.overlay.opaque": "y",
        "SCHILY.xattr.trusted.overlay.redirect": "/etc",
        "SCHILY.xattr.user.overlay.opaque": "y",
        "SCHILY.xattr.user.kept": "1",
      },
    },
  ]);
  const root = images.layer(await importTar(images, writeTemp(dir, "ovl.tar", archive)));
  assert.deepEqual(Object.keys(manifest(root)["d"].xattrs), ["user.kept"]);
});

Deno.test("entries of types plash does not know are skipped", AS_ROOT, async () => {
  using store = freshStore();
  const { images, dir } = store;
  const archive = await buildArchive([
    { name: "dumpdir", type: "file", body: "GNU dumpdir data" },
    { name: "kept", type: "file", body: "kept" },
  ]);
  const root = images.layer(
    await importTar(images, writeTemp(dir, "d.tar", retype(archive, 0, "D"))),
  );
  assert.deepEqual(names(root), ["kept"]);
  assert.equal(Deno.readTextFileSync(`${root}/kept`), "kept");
});

function toHex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
