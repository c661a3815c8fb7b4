/**
 * `deno task bundle`: the start path pre-built as JavaScript, in `dist/js/`.
 *
 * From the sources, every start reads each TypeScript module and its cached
 * emit (with an inline source map as large as the module) before anything
 * runs; from the bundle it reads a few small minified files. The bundle has
 * one entry per module plash loads on its own: `cli.js`, each command of
 * `core/cmd/`, and each module of the lazy modules' table (`LAZY_MODULES` in
 * `core/lazy_import.ts`), at its source path with `.js` for `.ts`, so that `lazyImport`
 * finds it beside the bundle's main module. What they share goes into chunks
 * loaded with them (one copy of each module, so `instanceof` holds). The npm
 * packages stay outside, loaded from `node_modules` when used.
 *
 * `bin/plash` runs the bundle when `dist/js/cli.js` exists: run this task
 * again after changing the sources (the test suite fails while a bundle older
 * than the sources is there). `deno bundle` brings esbuild from the npm
 * registry on first use.
 *
 * usage: deno run -A scripts/bundle.ts [OUTDIR]   (default: dist/js)
 *
 * @module
 */

import { LAZY_MODULES } from "../core/lazy_import.ts";

const ROOT = new URL("..", import.meta.url).pathname;
// Absolute: deno bundle runs in the project, not in the caller's directory.
const out = Deno.args[0]
  ? new URL(Deno.args[0], `file://${Deno.cwd()}/`).pathname
  : `${ROOT}dist/js`;

function fail(message: string, detail = ""): never {
  console.error(`plash error: bundle: ${message}`);
  if (detail && Deno.env.get("PLASH_TRACE")) console.error(detail);
  Deno.exit(1);
}

const commands = [...Deno.readDirSync(`${ROOT}core/cmd`)]
  .filter((entry) => entry.name.endsWith(".ts"))
  .map((entry) => `core/cmd/${entry.name}`);
// The `node:` modules of the table are not files to bundle.
const lazyFiles = Object.values(LAZY_MODULES).filter((path) => !path.startsWith("node:"));
const entries = [...new Set(["cli.ts", ...commands, ...lazyFiles])].sort();
const packageJson = JSON.parse(Deno.readTextFileSync(`${ROOT}package.json`));
const packages = Object.keys(packageJson.dependencies ?? {}).filter((name) => name !== "deno");

// Written beside the output and renamed over it: a failed run leaves the old bundle whole.
const staging = `${out}.partial-${Deno.pid}`;
const result = await new Deno.Command(Deno.execPath(), {
  args: [
    "bundle",
    "--quiet",
    "--platform",
    "deno",
    "--packages",
    "external",
    ...packages.flatMap((name) => ["--external", name]),
    "--minify",
    "--code-splitting",
    "--outdir",
    staging,
    ...entries,
  ],
  cwd: ROOT,
  stdout: "piped",
  stderr: "piped",
}).output();
const output = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
const cleanUp = () => Deno.removeSync(staging, { recursive: true });
if (!result.success) {
  try {
    cleanUp();
  } catch { /* not made */ }
  // Deno says what went wrong on its "error:" line; a backtrace may follow it.
  // deno-lint-ignore no-control-regex -- the escapes Deno colors its output with
  const lines = output.replace(/\x1b\[[0-9;]*m/g, "").trim().split("\n");
  const why = lines.find((line) => line.startsWith("error: ")) ?? lines.at(-1) ?? "";
  fail(`deno bundle failed: ${why.replace(/^error: /, "")}`, output);
}
for (const entry of entries) {
  const built = `${staging}/${entry.replace(/\.ts$/, ".js")}`;
  try {
    Deno.statSync(built);
  } catch {
    cleanUp();
    fail(`${entry} was not bundled at its own path`, output);
  }
}
try {
  Deno.removeSync(out, { recursive: true });
} catch (error) {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
}
Deno.renameSync(staging, out);
console.error(`bundled ${entries.length} entries into ${out}`);
