import assert from "node:assert/strict";
import { mknod, S_IFCHR } from "../../ffi/device_nodes.ts";
import { setXattr } from "../../ffi/file_attributes.ts";
import { extractTar } from "../../core/tar/extract.ts";
import { packTree } from "../../core/tar/pack.ts";
import { copyTree } from "../../core/tree/copy_tree.ts";
import { walkMerged } from "../../core/tree/merged_tree.ts";
import { AS_ROOT, freshStore, manifest, run } from "../support/tar_fixtures.ts";

const OPAQUE = new TextEncoder().encode("y");

/**
 * Three layers, bottom to top, exercising each overlay rule: whiteouts,
 * opaque dirs, a dir over a file, a file over a dir, and directories merged
 * across layers. The opaque marks are `trusted.overlay.opaque` (what overlay
 * uses as root), `user.overlay.opaque` (with `userxattr`, rootless), or one
 * of each.
 */
function makeLayers(dir: string, opaque: "trusted" | "user" | "both" = "both"): string[] {
  const [top, middle, bottom] = ["top", "middle", "bottom"].map((name) => `${dir}/${name}`);
  const files = (layer: string, paths: Record<string, string>) => {
    for (const [path, text] of Object.entries(paths)) {
      Deno.mkdirSync(`${layer}/${path}`.replace(/\/[^/]*$/, ""), { recursive: true });
      Deno.writeTextFileSync(`${layer}/${path}`, text);
    }
  };
  const whiteout = (layer: string, path: string) => {
    Deno.mkdirSync(`${layer}/${path}`.replace(/\/[^/]*$/, ""), { recursive: true });
    mknod(`${layer}/${path}`, S_IFCHR | 0o600);
  };
  files(bottom, {
    "etc/hostname": "bottom",
    "etc/removed": "bottom",
    "etc/kept": "bottom",
    "opaque/old": "bottom",
    "user-opaque/old": "bottom",
    "was-file": "bottom",
    "was-dir/inner": "bottom",
    "deep/a/b/c": "bottom",
    "gone-dir/x": "bottom",
  });
  Deno.linkSync(`${bottom}/etc/kept`, `${bottom}/etc/kept-link`);
  files(middle, {
    "etc/hostname": "middle",
    "opaque/new": "middle",
    "user-opaque/new": "middle",
    "was-file/now-dir": "middle",
    "deep/a/b/d": "middle",
  });
  whiteout(middle, "etc/removed");
  whiteout(middle, "gone-dir");
  const [first, second] =
    { trusted: ["trusted", "trusted"], user: ["user", "user"], both: ["trusted", "user"] }[opaque];
  setXattr(`${middle}/opaque`, `${first}.overlay.opaque`, OPAQUE);
  setXattr(`${middle}/user-opaque`, `${second}.overlay.opaque`, OPAQUE);
  files(top, { "was-dir": "top: a file now", "deep/a/e": "top", "etc/hostname": "top" });
  whiteout(top, "deep/a/b/c");
  return [top, middle, bottom];
}

Deno.test("the merged view applies whiteouts and opaque dirs as overlayfs does", AS_ROOT, () => {
  using store = freshStore();
  const layers = makeLayers(store.dir);
  const seen = [...walkMerged(layers)].map((entry) => [entry.path, entry.layer]);
  assert.deepEqual(seen, [
    ["", 0],
    ["deep", 0],
    ["deep/a", 0],
    ["deep/a/b", 0],
    ["deep/a/b/d", 1],
    ["deep/a/e", 0],
    ["etc", 0],
    ["etc/hostname", 0],
    ["etc/kept", 2],
    ["etc/kept-link", 2],
    ["opaque", 1],
    ["opaque/new", 1],
    ["user-opaque", 1],
    ["user-opaque/new", 1],
    ["was-dir", 0],
    ["was-file", 1],
    ["was-file/now-dir", 1],
  ]);
  for (const entry of walkMerged(layers)) {
    assert.ok(![...entry.xattrs.keys()].some((name) => name.includes("overlay")), entry.path);
  }
});

for (const opaque of ["trusted", "user"] as const) {
  Deno.test(
    `an exported merged view equals a real overlay mount (${opaque}.overlay.*)`,
    AS_ROOT,
    async () => {
      using store = freshStore();
      const layers = makeLayers(store.dir, opaque);
      const extracted = `${store.dir}/extracted`;
      Deno.mkdirSync(extracted);
      await extractTar(packTree(walkMerged(layers)), extracted);

      const mountpoint = `${store.dir}/mnt`;
      Deno.mkdirSync(mountpoint);
      const options = `ro,lowerdir=${layers.join(":")}${opaque === "user" ? ",userxattr" : ""}`;
      await run("mount", ["-t", "overlay", "overlay", "-o", options, mountpoint]);
      try {
        assert.deepEqual(manifest(extracted), manifest(mountpoint));
      } finally {
        await run("umount", [mountpoint]);
      }
    },
  );
}

Deno.test(
  "copy writes the merged view; a verbatim copy keeps whiteouts and opaque marks",
  AS_ROOT,
  () => {
    using store = freshStore();
    const layers = makeLayers(store.dir);
    const merged = `${store.dir}/merged`;
    copyTree(layers, merged);
    const fromTar = `${store.dir}/fromtar`;
    Deno.mkdirSync(fromTar);
    assert.equal(manifest(merged)["etc/kept-link"].hardLinkGroup, "etc/kept");
    assert.equal(manifest(merged)["deep/a/b/c"], undefined);

    const verbatim = `${store.dir}/verbatim`;
    copyTree([layers[1]], verbatim, { verbatim: true });
    assert.deepEqual(manifest(verbatim), manifest(layers[1]));
    assert.ok(Deno.lstatSync(`${verbatim}/etc/removed`).isCharDevice);
  },
);

Deno.test(
  "copy equals the exported archive, and fails into a non-empty directory",
  AS_ROOT,
  async () => {
    using store = freshStore();
    const layers = makeLayers(store.dir);
    const copied = `${store.dir}/copied`;
    copyTree(layers, copied);
    const extracted = `${store.dir}/extracted`;
    Deno.mkdirSync(extracted);
    await extractTar(packTree(walkMerged(layers)), extracted);
    assert.deepEqual(manifest(copied), manifest(extracted));
    assert.throws(() => copyTree(layers, copied), /directory not empty/);
  },
);
