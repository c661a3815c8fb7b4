/**
 * `deno task compile`: builds the single `dist/plash` binary with `deno compile`.
 *
 * `deno compile` writes the program onto `denort`, Deno's runtime-only base
 * binary, which it downloads from Deno's own host unless the `DENORT_BIN`
 * environment variable names a denort executable (unzipped) of the same Deno
 * version, or the archive is already in `$DENO_DIR/dl/`. When the download fails
 * this task says so in one line and exits 1; `deno compile` itself writes to a
 * temporary file and renames it, so no partial `dist/plash` is left.
 *
 * The command modules that `core/commands.ts` loads by computed specifiers are
 * not in the static module graph, so core/ is embedded with `--include`. The `deno` npm package (the 90 MB toolchain binary, twice:
 * `deno/` and `@deno/`) and type-only packages are excluded from the embedded
 * `node_modules`.
 *
 * The binary goes to `dist/` in the project, or to the directory
 * `$PLASH_DIST_DIR` names. Extra arguments go to `deno compile` (e.g.
 * `--no-check`, `--target`).
 *
 * @module
 */

const ROOT = new URL("..", import.meta.url).pathname;
/** Where the binary goes: absolute, or relative to the project. */
const DIST = Deno.env.get("PLASH_DIST_DIR") || `${ROOT}dist`;
const OUTPUT = `${DIST}/plash`;
/** node_modules entries that are build tools or types, never loaded by plash. */
const EXCLUDED = [".bin", "deno", "@deno", "@types", "undici-types"].map((name) =>
  `node_modules/${name}`
);

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function fail(message: string, detail = ""): never {
  console.error(`plash error: ${message}`);
  if (detail && Deno.env.get("PLASH_TRACE")) console.error(detail);
  Deno.exit(1);
}

const denort = Deno.env.get("DENORT_BIN");
// An empty DENORT_BIN means unset: deno compile would take "" for a path.
if (denort === "") Deno.env.delete("DENORT_BIN");
if (denort) {
  if (!exists(denort) || !Deno.statSync(denort).isFile) {
    fail(`DENORT_BIN=${denort}: no such file (it must name a denort executable)`);
  }
}

const distExisted = exists(DIST);
Deno.mkdirSync(DIST, { recursive: true });
const args = [
  "compile",
  "-A",
  "--output",
  OUTPUT,
  "--config",
  "deno.json",
  "--include",
  "core/",
  ...EXCLUDED.flatMap((path) => ["--exclude", path]),
  ...Deno.args,
  "cli.ts",
];
const result = await new Deno.Command(Deno.execPath(), {
  args,
  cwd: ROOT,
  stdout: "piped",
  stderr: "piped",
}).output();
const output = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);

if (result.success) {
  await Deno.stderr.write(new TextEncoder().encode(output));
  Deno.exit(0);
}
// deno removes its temporary output on error; a killed run may still leave one.
for (const entry of Deno.readDirSync(DIST)) {
  if (entry.name.startsWith("plash.tmp-")) Deno.removeSync(`${DIST}/${entry.name}`);
}
if (!distExisted) {
  try {
    Deno.removeSync(DIST); // made by this run, so empty again
  } catch {
    // Something else is in it now: leave it.
  }
}
if (!denort && /denort-|base binary|Download could not be found/.test(output)) {
  fail(
    "deno compile needs the denort runtime binary, which could not be downloaded here; " +
      `set DENORT_BIN to a denort ${Deno.version.deno} binary`,
    output,
  );
}
await Deno.stderr.write(new TextEncoder().encode(output));
Deno.exit(result.code || 1);
