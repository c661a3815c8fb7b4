/**
 * `deno task dist` itself: what goes into an archive, and a run that cannot
 * get a Deno runtime stops in one line with nothing made.
 */

import assert from "node:assert/strict";
import { VERSION } from "../../core/version.ts";
import { runCommand } from "../support/command.ts";
import { distArchives, distOneFiles } from "../support/dist.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
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
  // The carried glibc: what ldd lists for that Deno (aarch64's needs no librt), and nothing else of
  // libc6 (its other libraries, gconv modules, locales).
  const glibc = (arch: string) =>
    trees[arch].filter((entry) => entry.startsWith("lib/plash/glibc/"))
      .map((entry) => entry.slice("lib/plash/glibc/".length));
  const common = ["libc.so.6", "libdl.so.2", "libgcc_s.so.1", "libm.so.6", "libpthread.so.0"];
  assert.deepEqual(
    glibc("x86_64").sort(),
    ["", "ld-linux-x86-64.so.2", ...common, "librt.so.1"].sort(),
  );
  assert.deepEqual(glibc("aarch64").sort(), ["", "ld-linux-aarch64.so.1", ...common].sort());
  const others = (arch: string) =>
    trees[arch].filter((entry) => !entry.startsWith("lib/plash/glibc/"));
  assert.deepEqual(others("x86_64"), others("aarch64"), "the same files, Deno's aside");
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
      "share/doc/plash/libc6/copyright",
      "share/doc/plash/libgcc-s1/copyright",
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

Deno.test({
  name: "the one-file form is an sh header naming the archive's size and sha256, then the archive",
  ignore: Deno.uid() !== 0,
}, async () => {
  const archives = await distArchives();
  const oneFiles = await distOneFiles();
  for (const [arch, archive] of Object.entries(archives) as [keyof typeof archives, string][]) {
    assert.equal(oneFiles[arch], archive.slice(0, -".tar.gz".length));
    const payload = Deno.readFileSync(archive);
    const whole = Deno.readFileSync(oneFiles[arch]);
    assert.ok(Deno.statSync(oneFiles[arch]).mode! & 0o100, "executable");
    const header = new TextDecoder().decode(whole.subarray(0, whole.length - payload.length));
    assert.deepEqual(whole.subarray(header.length), payload);
    assert.ok(header.startsWith("#!/bin/sh\n"));
    const sha256 = new Uint8Array(await crypto.subtle.digest("SHA-256", payload));
    const hex = [...sha256].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    assert.match(header, new RegExp(`^sum=${hex}$`, "m"));
    assert.match(header, new RegExp(`^size=${payload.length}$`, "m"));
  }
});

/** `deno task dist x86_64` into `work/out`, with its cache in `work/cache`, and `env`. */
function distX86_64(work: string, env: Record<string, string>) {
  const args = ["run", "-A", `${ROOT}scripts/dist.ts`, "--out", `${work}/out`];
  return runCommand(Deno.execPath(), [...args, "--cache", `${work}/cache`, "x86_64"], { env });
}

Deno.test("dist stops in one line, with nothing made, when Deno's runtime cannot be fetched", async () => {
  const work = Deno.makeTempDirSync({ prefix: "plash-dist-" });
  try {
    // A runtime in the cache that is not the one package-lock.json names is fetched again.
    Deno.mkdirSync(`${work}/cache`);
    const cached = `deno-linux-x64-glibc-${DENO}.tgz`;
    Deno.writeTextFileSync(`${work}/cache/${cached}`, "not it");
    const result = await distX86_64(work, {
      npm_config_registry: "http://127.0.0.1:9/",
      npm_config_cache: `${work}/npm`,
      npm_config_fetch_retries: "0",
      npm_config_offline: "false",
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^plash error: npm pack @deno\/linux-x64-glibc@[\d.]+: .+\n$/);
    assert.ok(!exists(`${work}/out`), "no output directory");
    assert.deepEqual([...Deno.readDirSync(`${work}/cache`)].map((entry) => entry.name), [cached]);
  } finally {
    Deno.removeSync(work, { recursive: true });
  }
});

Deno.test({
  name: "dist stops in one line, with nothing made, when Debian's C library cannot be fetched",
  // The runtime comes from the shared build's cache, in .fixtures/.
  ignore: Deno.uid() !== 0,
}, async () => {
  await distArchives(); // its runtimes are in .fixtures/npm-packs
  const work = Deno.makeTempDirSync({ prefix: "plash-dist-" });
  try {
    Deno.mkdirSync(`${work}/cache`);
    const runtime = `deno-linux-x64-glibc-${DENO}.tgz`;
    Deno.symlinkSync(`${ROOT}.fixtures/npm-packs/${runtime}`, `${work}/cache/${runtime}`);
    const result = await distX86_64(work, { PATH: `${work}/no-tools` });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "plash error: dist: the C library for x86_64 (Debian's libc6, libgcc-s1): " +
        "apt-get is missing\n",
    );
    assert.ok(!exists(`${work}/out`), "no output directory");
    // The packages' cache directory, empty: no staging left, no half-downloaded package.
    assert.deepEqual(names(`${work}/cache`), ["debs", runtime]);
    assert.deepEqual(names(`${work}/cache/debs`), []);
  } finally {
    Deno.removeSync(work, { recursive: true });
  }
});

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
