import assert from "node:assert/strict";
import { getXattr, listXattrs } from "../../ffi/file_attributes.ts";
import { recordTree, writeTreeChanges } from "../../core/tree/tree_changes.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const ROOT = Deno.uid() === 0;

/** A small tree with a bit of everything, at `dir`. */
function makeTree(dir: string): void {
  sh(
    dir,
    "mkdir -p etc/deep/er gone/sub keep opaque/old; echo motd > etc/motd; echo a > etc/deep/er/f; " +
      "echo x > gone/sub/x; echo old > opaque/old/o; echo k > keep/k; echo y > asfile; " +
      "ln -s motd etc/link; echo h > etc/hard; ln etc/hard etc/hard2; mkdir dirfile; " +
      "echo m > etc/mode; echo l > etc/linked",
  );
}

/** The changes a build step makes: an append, a sed -i, deletions, replacements. */
const STEP = "echo more >> etc/motd; sed -i s/a/b/ etc/deep/er/f; rm -rf gone; " +
  "rm -rf opaque; mkdir -p opaque/new; echo n > opaque/new/n; rm asfile; mkdir asfile; " +
  "rm -r dirfile; echo now-a-file > dirfile; ln -sf hard etc/link; chmod 600 etc/mode; " +
  "echo new > etc/new; ln etc/linked etc/linked2";

function sh(cwd: string, script: string): void {
  const result = new Deno.Command("sh", { args: ["-c", script], cwd }).outputSync();
  assert.ok(result.success, new TextDecoder().decode(result.stderr));
}

/** Every entry of a layer as a line: path, type, mode, owner, contents or target, opacity. */
function describe(dir: string): string[] {
  const lines: string[] = [];
  const walk = (path: string) => {
    for (const { name } of [...Deno.readDirSync(`${dir}/${path}`)].sort(byName)) {
      const rel = path ? `${path}/${name}` : name;
      const full = `${dir}/${rel}`;
      const info = Deno.lstatSync(full);
      const mode = (info.mode! & 0o7777).toString(8);
      const owner = `${info.uid}:${info.gid}`;
      if (info.isDirectory) {
        const opaque = listXattrs(full).filter((x) => x.endsWith("overlay.opaque"))
          .map((x) => new TextDecoder().decode(getXattr(full, x)));
        lines.push(`${rel} dir ${mode} ${owner} opaque=${opaque.join()}`);
        walk(rel);
      } else if (info.isSymlink) lines.push(`${rel} link -> ${Deno.readLinkSync(full)}`);
      else if (info.isCharDevice) lines.push(`${rel} char ${info.rdev}`);
      else lines.push(`${rel} file ${mode} ${owner} ${Deno.readTextFileSync(full).trim()}`);
    }
  };
  walk("");
  return lines;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

Deno.test("a tree's changes become whiteouts, opaque directories and copied-up entries", () => {
  using dirs = new TempDirs();
  const tree = dirs.make();
  makeTree(tree);
  const before = recordTree(tree);
  sh(tree, STEP);
  const layer = `${dirs.make()}/layer`;
  writeTreeChanges(before, tree, layer);
  const lines = describe(layer);
  const has = (pattern: RegExp) => assert.ok(lines.some((l) => pattern.test(l)), lines.join("\n"));
  has(/^etc\/motd file 644 .* motd\nmore$/);
  has(/^etc\/deep dir .* opaque=$/);
  has(/^etc\/deep\/er\/f file .* b$/);
  has(/^gone char 0$/);
  has(/^opaque dir .* opaque=y$/);
  has(/^opaque\/new\/n file .* n$/);
  has(/^asfile dir .* opaque=y$/);
  has(/^dirfile file .* now-a-file$/);
  has(/^etc\/link link -> hard$/);
  has(/^etc\/mode file 600 /);
  has(/^etc\/new file .* new$/);
  has(/^etc\/linked file .* l$/);
  const paths = lines.map((line) => line.split(" ")[0]);
  for (const unchanged of ["keep", "keep/k", "etc/hard", "gone/sub", "opaque/old"]) {
    assert.ok(!paths.includes(unchanged), `${unchanged} is not in the layer: ${paths}`);
  }
});

Deno.test("ignored paths, and all they hold, are in no record and no layer", () => {
  using dirs = new TempDirs();
  const tree = dirs.make();
  makeTree(tree);
  const ignored = new Set(["keep"]);
  const before = recordTree(tree, ignored);
  assert.ok(!before.has("keep/k"));
  sh(tree, "echo again > keep/k; echo new > keep/new");
  const layer = `${dirs.make()}/layer`;
  writeTreeChanges(before, tree, layer, ignored);
  assert.deepEqual(describe(layer), []);
});

Deno.test("the record after a step is the next step's: only the second step's changes", () => {
  using dirs = new TempDirs();
  const tree = dirs.make();
  makeTree(tree);
  const first = writeTreeChanges(recordTree(tree), tree, `${dirs.make()}/one`);
  sh(tree, "echo second > keep/second");
  const layer = `${dirs.make()}/two`;
  writeTreeChanges(first, tree, layer);
  assert.deepEqual(describe(layer).map((line) => line.split(" ")[0]), ["keep", "keep/second"]);
});

Deno.test("the changes are what overlayfs's upper layer holds after the same commands", {
  ignore: !ROOT,
}, () => {
  using dirs = new TempDirs();
  const [lower, tree, work] = [dirs.make(), dirs.make(), dirs.make()];
  makeTree(lower);
  sh(tree, `cp -a ${lower}/. .`);
  const before = recordTree(tree);
  sh(tree, STEP);
  const layer = `${dirs.make()}/layer`;
  writeTreeChanges(before, tree, layer);
  sh(
    work,
    "mkdir upper work merged && unshare -m sh -c 'mount -t overlay overlay -o " +
      `userxattr,lowerdir=${lower},upperdir=upper,workdir=work merged && cd merged && ${STEP}'`,
  );
  assert.deepEqual(describe(layer), describe(`${work}/upper`));
});
