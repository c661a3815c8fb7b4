/**
 * `deno task compile`: the single-file binaries `dist/plash-linux-x86_64` and
 * `dist/plash-linux-aarch64`, made by `deno compile --target` from the same
 * sources.
 *
 * `deno compile` writes the program onto `denort`, Deno's runtime-only base
 * binary for the target, which it downloads from Deno's own host unless told
 * where one is. Here that is `DENORT_BIN_X86_64` / `DENORT_BIN_AARCH64`, or
 * `DENORT_BIN` (Deno's own variable) for this machine's architecture: each a
 * denort executable (unzipped) of the same Deno version. When a download
 * fails this task says so in one line, naming the variable to set, and exits
 * 1. Every binary is built beside the others in a staging directory and they
 * are moved into dist/ together: a failed run adds nothing.
 *
 * The command modules that `core/cli/commands/mod.ts` loads by computed specifiers are
 * not in the static module graph, so core/ is embedded with `--include`. deno
 * compile runs in a copy of what the binary is made of (the sources and the
 * npm packages): it looks for `node_modules` directories through
 * the whole directory it runs in, following links, and the tests' fixtures are
 * root trees whose absolute links (`var/run` to `/run`) lead it onto the
 * host's /run and /dev/shm, where it walked a store of Debian images for many
 * minutes. The `deno` npm package (the 90 MB toolchain binary, twice: `deno/`
 * and `@deno/`) is left out of the copy, and type-only packages out of the
 * embedded `node_modules`.
 *
 * usage: deno run -A scripts/compile.ts [x86_64|aarch64]... [DENO COMPILE ARGS...]
 * Without an architecture, both. The binaries go to `dist/` in the project, or
 * to the directory `$PLASH_DIST_DIR` names. Other arguments go to
 * `deno compile` (e.g. `--no-check`).
 *
 * @module
 */

import { type Arch, isArch, TARGETS } from "./release/deno_runtime.ts";

const ROOT = new URL("..", import.meta.url).pathname;
/** Where the binaries go: absolute, or relative to the project. */
const DIST = Deno.env.get("PLASH_DIST_DIR") || `${ROOT}dist`;
/** What the binary is made of, besides the npm packages. */
const SOURCES = ["cli.ts", "deno.json", "package.json", "core", "ffi"];
/** node_modules entries that are build tools or types, never loaded by plash: not embedded. */
const EXCLUDED = [".bin", "deno", "@deno", "@types", "undici-types"];
/** Of those, the Deno toolchain is not even copied; the types are, for the type check. */
const NOT_COPIED = new Set([".bin", "deno", "@deno"]);

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

// deno compile reads DENORT_BIN itself: each run is given the one for its target, or none.
const hostDenort = Deno.env.get("DENORT_BIN");
Deno.env.delete("DENORT_BIN");

/** The variable naming `arch`'s denort, and its value when it names one. */
function denortFor(arch: Arch): { variable: string; path?: string } {
  const own = `DENORT_BIN_${arch.toUpperCase()}`;
  // An empty value means unset: deno compile would take "" for a path.
  const ownValue = Deno.env.get(own) || undefined;
  if (ownValue || arch !== Deno.build.arch) return { variable: own, path: ownValue };
  return { variable: "DENORT_BIN", path: hostDenort || undefined };
}

const arches = Deno.args.filter(isArch);
const passed = Deno.args.filter((arg) => !isArch(arg));
const targets = arches.length ? [...new Set(arches)] : Object.keys(TARGETS) as Arch[];
const denorts = new Map(targets.map((arch) => [arch, denortFor(arch)]));
for (const { variable, path } of denorts.values()) {
  if (path && (!exists(path) || !Deno.statSync(path).isFile)) {
    fail(`${variable}=${path}: no such file (it must name a denort executable)`);
  }
}

const distExisted = exists(DIST);
Deno.mkdirSync(DIST, { recursive: true });
const staging = Deno.makeTempDirSync({ dir: DIST, prefix: ".compile-" });
/** Removes what this run made; a dist/ it made is removed too when empty again. */
function cleanUp(): void {
  Deno.removeSync(staging, { recursive: true });
  if (distExisted) return;
  try {
    Deno.removeSync(DIST);
  } catch {
    // Something else is in it now: leave it.
  }
}

/** Copies the sources and the npm packages into `dir`, a new directory. */
function copyProject(dir: string): void {
  Deno.mkdirSync(`${dir}/node_modules`, { recursive: true });
  const packages = [...Deno.readDirSync(`${ROOT}node_modules`)]
    .map((entry) => entry.name)
    .filter((name) => !NOT_COPIED.has(name));
  const copies: [string[], string][] = [
    [SOURCES.map((name) => `${ROOT}${name}`), dir],
    [packages.map((name) => `${ROOT}node_modules/${name}`), `${dir}/node_modules`],
  ];
  for (const [from, to] of copies) {
    const copied = new Deno.Command("cp", { args: ["-a", ...from, to], stderr: "piped" })
      .outputSync();
    if (copied.success) continue;
    cleanUp();
    fail(`cp of the sources into ${to} failed`, new TextDecoder().decode(copied.stderr));
  }
}

const project = `${staging}/project`;
copyProject(project);
const log: string[] = [];
for (const arch of targets) {
  const { variable, path } = denorts.get(arch)!;
  const result = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "-A",
      // As bin/plash: V8 runs no task on another thread, behind a clone child.
      "--v8-flags=--single-threaded,--no-sparkplug",
      "--target",
      TARGETS[arch].triple,
      "--output",
      `${staging}/plash-linux-${arch}`,
      "--config",
      "deno.json",
      "--include",
      "core/",
      ...EXCLUDED.flatMap((name) => ["--exclude", `node_modules/${name}`]),
      ...passed,
      "cli.ts",
    ],
    cwd: project,
    env: path ? { DENORT_BIN: path } : undefined,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
  log.push(output);
  if (result.success) continue;
  cleanUp();
  if (!path && /denort-|base binary|Download could not be found/.test(output)) {
    fail(
      `deno compile needs the denort runtime binary for ${arch}, which could not be downloaded ` +
        `here; set ${variable} to a denort ${Deno.version.deno} binary for ${arch}`,
      output,
    );
  }
  await Deno.stderr.write(new TextEncoder().encode(output));
  Deno.exit(result.code || 1);
}
for (const arch of targets) {
  Deno.renameSync(`${staging}/plash-linux-${arch}`, `${DIST}/plash-linux-${arch}`);
}
Deno.removeSync(staging, { recursive: true });
await Deno.stderr.write(new TextEncoder().encode(log.join("")));
