/**
 * The code's dependencies point one way: commands -> build/images ->
 * runtime/tar/tree/net -> store -> ffi, with the leaf helpers of core/ (errors,
 * hashing, lazy imports) usable from anywhere. Read from the sources
 * themselves, lazy imports included.
 */

import assert from "node:assert/strict";
import { LAZY_MODULES, type LazyModuleName } from "../core/lazy_import.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Each folder's layer; a module may import its own layer or lower ones only. */
const LAYERS: Record<string, number> = {
  "core/cli": 5,
  "core/cmd": 5,
  "core/build": 4,
  "core/images": 4,
  "core/doctor": 4,
  "core/runtime": 3,
  "core/tar": 3,
  "core/tree": 3,
  "core/net": 3,
  "core/store": 2,
  "core": 1, // the leaf helpers beside the folders
  "ffi": 0,
};

function* sources(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

/** The folder of `path` that LAYERS names: `core/images/oci/x.ts` is in core/images. */
function folderOf(path: string): string {
  const parts = path.split("/").slice(0, -1);
  while (parts.length && !(parts.join("/") in LAYERS)) parts.pop();
  return parts.join("/");
}

/** The table of lazily loaded modules, whose type-only imports name them rather than use them. */
const LAZY_TABLE = "core/lazy_import.ts";

/** Every module `file` imports: static, dynamic, type-only and through lazyImport. */
function importsOf(file: string): string[] {
  const text = Deno.readTextFileSync(`${ROOT}${file}`).replace(/^\s*\*.*$/gm, "");
  if (file === LAZY_TABLE) return [];
  const relative = [
    ...text.matchAll(/\bfrom\s+"([^"]+)"/g),
    ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
  ].map((match) => match[1]).filter((specifier) => specifier.startsWith("."))
    .map((specifier) => new URL(specifier, `file://${ROOT}${file}`).pathname.slice(ROOT.length));
  // lazyImport("name") names a module of the table, by its path from the project's root.
  const lazy = [...text.matchAll(/\blazyImport\(\s*"(\w+)"/g)]
    .map((match) => LAZY_MODULES[match[1] as LazyModuleName])
    .filter((path) => !path.startsWith("node:"));
  return [...relative, ...lazy];
}

function dependencies(): [string, string][] {
  const pairs: [string, string][] = [];
  for (const dir of ["core", "ffi"]) {
    for (const file of sources(dir)) {
      for (const imported of importsOf(file)) pairs.push([file, imported]);
    }
  }
  return pairs;
}

Deno.test("every import goes to the module's own layer or a lower one", () => {
  const upward = dependencies().filter(([file, imported]) =>
    LAYERS[folderOf(imported)] > LAYERS[folderOf(file)]
  );
  assert.deepEqual(upward.map(([file, imported]) => `${file} -> ${imported}`), []);
});

Deno.test("no two folders import each other", () => {
  const edges = new Set(
    dependencies().map(([file, imported]) => `${folderOf(file)} ${folderOf(imported)}`),
  );
  const cycles = [...edges].filter((edge) => {
    const [from, to] = edge.split(" ");
    return from < to && edges.has(`${to} ${from}`);
  });
  assert.deepEqual(cycles, []);
});

Deno.test("core/tar is a codec on its own: it imports no store or image module", () => {
  const reaching = dependencies().filter(([file, imported]) =>
    file.startsWith("core/tar/") &&
    (imported.startsWith("core/store/") || imported.startsWith("core/images/"))
  );
  assert.deepEqual(reaching.map(([file, imported]) => `${file} -> ${imported}`), []);
});

Deno.test("the layer table knows every folder, and the checks see the imports", () => {
  const pairs = dependencies();
  for (const [file, imported] of pairs) {
    assert.ok(folderOf(file) in LAYERS && folderOf(imported) in LAYERS, `${file} -> ${imported}`);
  }
  // The lazy imports are read too: build/sources.ts reaches images/ only through them.
  assert.ok(
    pairs.some(([file, imported]) =>
      file === "core/build/sources.ts" && imported === "core/images/registry/pull.ts"
    ),
  );
});

Deno.test("each lazy module's path is the one its type is imported from, and each is used", () => {
  const table = Deno.readTextFileSync(`${ROOT}${LAZY_TABLE}`);
  const entries = [...table.matchAll(/(\w+): at<typeof import\("([^"]+)"\)>\(\s*"([^"]+)"/g)];
  assert.deepEqual(entries.map((entry) => entry[1]).sort(), Object.keys(LAZY_MODULES).sort());
  for (const [, name, typePath, path] of entries) {
    const typeTarget = typePath.startsWith("node:")
      ? typePath
      : new URL(typePath, `file://${ROOT}${LAZY_TABLE}`).pathname.slice(ROOT.length);
    assert.equal(typeTarget, path, name);
  }
  const used = new Set<string>();
  for (const file of ["cli.ts", ...sources("core")]) {
    const text = Deno.readTextFileSync(`${ROOT}${file}`);
    for (const match of text.matchAll(/\blazyImport\(\s*"(\w+)"/g)) used.add(match[1]);
  }
  assert.deepEqual(Object.keys(LAZY_MODULES).filter((name) => !used.has(name)), []);
});

/**
 * A store path built from a variable (`${root}/tmp`, `${node}/_data`), a path
 * below one of the layout's directories (`${store.tmpRoot}/${name}`), or a
 * store entry's prefix.
 */
const STORE_PATH =
  /\$\{[^}]*\}\/(?:_data|index|map|layer|tmp|mnt|bud-cache|mountless|id_counter)(?![\w.-])|Root\}\/|"\.\.\/layer|"plash(?:tmp|lock)_"/;

/** The lines of `file`, comments aside, that build a store path. */
function storePathsIn(file: string): string[] {
  return Deno.readTextFileSync(`${ROOT}${file}`).split("\n")
    .filter((line) => !/^\s*(\*|\/\/|\/\*\*)/.test(line) && STORE_PATH.test(line))
    .map((line) => `${file}: ${line.trim()}`);
}

Deno.test("only the store's layout module builds a path inside a store", () => {
  const layout = "core/store/layout.ts";
  const elsewhere = ["cli.ts", ...sources("core"), ...sources("ffi")]
    .filter((file) => file !== layout)
    .flatMap(storePathsIn);
  assert.deepEqual(elsewhere, []);
  // The check sees the paths where they are built.
  assert.ok(storePathsIn(layout).length >= 5);
});
