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

/**
 * What a `plash run` loads, in a few chunks rather than about one a module:
 * esbuild puts the modules reached from the same entries in one chunk, and
 * Deno pays about 0.1 ms of a start for each file it loads (bench/README.md,
 * "Issue 23: start-up, 2026-12-07 second step" and "third step"). So the
 * modules are put in groups, each bundled as one chunk: every start's (what
 * cli.ts reaches, with what of `run`'s modules a cached build or a store
 * command reaches too), then for each step of {@linkcode RUN_STEPS} what it
 * reaches and no earlier group has. Every entry is bundled through a wrapper
 * that imports the first group, and through one that imports each other
 * group it reaches a module of, so that all of a group's modules are reached
 * from the same entries. A root `plash run` then reads five files of the
 * bundle (cli.js, every start's chunk, the errors' chunk that the tar code's
 * own dynamic imports share, run.js, the runtime's chunk), a rootless one
 * two more; a run with run options (`-e`, `-u`...) two more (their parser's
 * entry and chunk, four when the parser was not grouped); a run with a user
 * switch two more (its entry and chunk), one with devices, hooks, a network
 * of its own or a read-only bind four more (the optional operations' entry
 * and chunk, and the user switch's chunk, whose setgroups they use); a
 * cached build or a store command loads none of the runtime.
 */
const RUN_STEPS = [
  "core/cmd/run.ts",
  "core/cli/commands/parse_run_options.ts",
  "core/runtime/become_user.ts",
  "core/runtime/optional_steps.ts",
  "core/runtime/spawn_container.ts",
];
/** A cached build and a store command: what they reach of `run`'s is in every start's group. */
const LIGHT_COMMANDS = ["core/cmd/build.ts", "core/cmd/nodepath.ts"];

/** The modules `file` imports for their values, and theirs: type-only imports, as esbuild, left out. */
function valueImports(file: string, found = new Set<string>()): Set<string> {
  if (found.has(file)) return found;
  found.add(file);
  const text = Deno.readTextFileSync(`${ROOT}${file}`);
  const from = /^(?:import|export)(?!\s+type\b)[^;"]*?from\s+"(\.[^"]+)"|^import\s+"(\.[^"]+)"/gm;
  for (const match of text.matchAll(from)) {
    const imported = new URL(match[1] ?? match[2], `file://${ROOT}${file}`).pathname;
    valueImports(imported.slice(ROOT.length), found);
  }
  return found;
}

/**
 * The groups `entry` loads: the first, and each that has a module the entry
 * or a group it loads reaches. A group's modules reach modules of earlier
 * groups (the optional operations reach the binds): an entry that loads it
 * must load those groups whole, or esbuild splits them into chunks by who
 * reaches which part.
 */
function groupsOf(entry: string, groups: string[][]): Set<number> {
  const reached = valueImports(entry);
  const loaded = new Set<number>();
  for (let grew = true; grew;) {
    grew = false;
    groups.forEach((group, i) => {
      if (loaded.has(i) || (i > 0 && !group.some((module) => reached.has(module)))) return;
      loaded.add(i);
      grew = true;
      for (const module of group) valueImports(module).forEach((file) => reached.add(file));
    });
  }
  return loaded;
}

/**
 * One wrapper an entry, at the entry's path so that the bundle keeps the
 * paths, importing the groups the entry is to load with.
 */
function writeWrappers(dir: string): string[] {
  const light = new Set(LIGHT_COMMANDS.flatMap((command) => [...valueImports(command)]));
  // cli.ts itself stays in cli.js: its top-level await must not be in a chunk the others import.
  const grouped = new Set(
    [
      ...valueImports("cli.ts"),
      ...[...valueImports(RUN_STEPS[0])].filter((file) => light.has(file)),
    ]
      .filter((file) => file !== "cli.ts"),
  );
  const groups = [[...grouped]];
  for (const step of RUN_STEPS) {
    const group = [...valueImports(step)].filter((file) => !grouped.has(file));
    group.forEach((file) => grouped.add(file));
    groups.push(group);
  }
  const groupFiles = groups.map((group, i) => {
    const file = `${dir}/start_group_${i}.ts`;
    Deno.writeTextFileSync(file, group.map((module) => `import "${ROOT}${module}";\n`).join(""));
    return file;
  });
  return entries.map((entry) => {
    const loaded = groupsOf(entry, groups);
    const imports = groupFiles.filter((_, i) => loaded.has(i));
    const wrapper = `${dir}/entries/${entry}`;
    Deno.mkdirSync(wrapper.slice(0, wrapper.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(
      wrapper,
      [...imports.map((file) => `import "${file}";`), `export * from "${ROOT}${entry}";`, ""]
        .join("\n"),
    );
    return wrapper;
  });
}

// Written beside the output and renamed over it: a failed run leaves the old bundle whole.
const staging = `${out}.partial-${Deno.pid}`;
const wrappers = Deno.makeTempDirSync({ prefix: "plash-bundle-entries-" });
let result: Deno.CommandOutput;
try {
  result = await new Deno.Command(Deno.execPath(), {
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
      ...writeWrappers(wrappers),
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
} finally {
  Deno.removeSync(wrappers, { recursive: true });
}
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
