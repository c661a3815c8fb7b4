/**
 * `deno task dist` itself: what goes into an archive, and a run that cannot
 * get a Deno runtime stops in one line with nothing made.
 */

import assert from "node:assert/strict";
import { VERSION } from "../core/version.ts";
import { runCommand } from "./support/command.ts";
import { distArchives } from "./support/dist.ts";

const ROOT = new URL("..", import.meta.url).pathname;
/** The Deno version package.json pins: the runtime the archives carry. */
const DENO = JSON.parse(Deno.readTextFileSync(`${ROOT}package.json`)).dependencies.deno;

async function listing(archive: string): Promise<string[]> {
  const tar = await runCommand("tar", ["-tzf", archive]);
  assert.equal(tar.code, 0, tar.stderr);
  return new TextDecoder().decode(tar.stdout).trim().split("\n");
}

Deno.test({
  name: "an archive holds the launcher, Deno, the bundle, the run-time packages and the docs",
  // The shared build lives in .fixtures/, which the unprivileged test users only read.
  ignore: Deno.uid() !== 0,
}, async () => {
  const archives = await distArchives();
  assert.deepEqual(Object.keys(archives).sort(), ["aarch64", "x86_64"]);
  const trees: Record<string, string[]> = {};
  for (const [arch, archive] of Object.entries(archives)) {
    const top = `plash-${VERSION}-linux-${arch}/`;
    assert.equal(archive.slice(archive.lastIndexOf("/") + 1), `${top.slice(0, -1)}.tar.gz`);
    const entries = await listing(archive);
    assert.ok(entries.every((entry) => entry.startsWith(top)), "one directory");
    trees[arch] = entries.map((entry) => entry.slice(top.length));
  }
  assert.deepEqual(trees.x86_64, trees.aarch64, "the same files, Deno's aside");
  const files = new Set(trees.x86_64);
  for (
    const file of [
      "bin/plash",
      "lib/plash/deno",
      "lib/plash/deno.json",
      "lib/plash/package.json",
      "lib/plash/dist/js/cli.js",
      "lib/plash/dist/js/core/cmd/run.js",
      "lib/plash/node_modules/xz-decompress/package.json",
      "lib/plash/node_modules/smol-toml/package.json",
      "share/doc/plash/README.md",
      "share/doc/plash/LICENSE",
    ]
  ) assert.ok(files.has(file), file);
  const packages = trees.x86_64.filter((entry) =>
    /^lib\/plash\/node_modules\/[^/]+\/$/.test(entry)
  );
  for (const tool of ["deno/", "@deno/", "@types/", ".bin/"]) {
    assert.ok(!packages.includes(`lib/plash/node_modules/${tool}`), `no ${tool}`);
  }
  assert.ok(!trees.x86_64.some((entry) => /\/prebuilds\/|\.node$/.test(entry)), "no native code");
  assert.ok(!trees.x86_64.some((entry) => entry.endsWith(".ts")), "no TypeScript to compile");
});

Deno.test("dist stops in one line, with nothing made, when Deno's runtime cannot be fetched", async () => {
  const work = Deno.makeTempDirSync({ prefix: "plash-dist-" });
  try {
    // A runtime in the cache that is not the one package-lock.json names is fetched again.
    Deno.mkdirSync(`${work}/cache`);
    const cached = `deno-linux-x64-glibc-${DENO}.tgz`;
    Deno.writeTextFileSync(`${work}/cache/${cached}`, "not it");
    const result = await runCommand(Deno.execPath(), [
      "run",
      "-A",
      `${ROOT}scripts/dist.ts`,
      "--out",
      `${work}/out`,
      "--cache",
      `${work}/cache`,
      "x86_64",
    ], {
      env: {
        npm_config_registry: "http://127.0.0.1:9/",
        npm_config_cache: `${work}/npm`,
        npm_config_fetch_retries: "0",
        npm_config_offline: "false",
      },
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^plash error: npm pack @deno\/linux-x64-glibc@[\d.]+: .+\n$/);
    assert.ok(!exists(`${work}/out`), "no output directory");
    assert.deepEqual([...Deno.readDirSync(`${work}/cache`)].map((entry) => entry.name), [cached]);
  } finally {
    Deno.removeSync(work, { recursive: true });
  }
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
