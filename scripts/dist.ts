/**
 * `deno task dist`: the release archives, `dist/plash-VERSION-linux-ARCH.tar.gz`
 * for x86_64 and aarch64, and beside each its one-file form
 * `dist/plash-VERSION-linux-ARCH` (scripts/release/one_file.ts). Each archive
 * unpacks to one directory laid out as an install prefix, so it can be
 * unpacked as `/opt/plash` or merged into `~/.local`:
 *
 * ```
 * plash-VERSION-linux-ARCH/
 *   bin/plash                    the launcher (sh): runs the bundle with the Deno below
 *   lib/plash/deno               Deno for ARCH, from the npm registry (@deno/linux-*-glibc)
 *   lib/plash/glibc/             its loader and libraries, from Debian's libc6 and libgcc-s1
 *   lib/plash/dist/js/           the start bundle and its chunks (scripts/bundle.ts)
 *   lib/plash/node_modules/      the npm packages plash loads at run time (plain JS)
 *   lib/plash/deno.json, package.json
 *   share/doc/plash/README.md, LICENSE, libc6/copyright, libgcc-s1/copyright
 * ```
 *
 * `lib/plash` is laid out as a checkout is (config, node_modules and
 * `dist/js/cli.js` two levels below it), so the bundle finds its modules and
 * runs itself again the same way in both. Nothing in it is fetched or
 * compiled when plash runs: the bundle is JavaScript, the packages are
 * installed, and the Deno runtime is in the archive.
 *
 * The runtime tarballs are kept in the cache directory (`dist/cache`) and
 * checked against package-lock.json; Debian's packages are kept there too
 * (scripts/release/glibc.ts). Archives are made in a staging directory
 * beside the output and renamed: a failed or interrupted run leaves what was
 * there. `SOURCE_DATE_EPOCH` sets
 * the files' time, so the same sources give the same bytes.
 *
 * usage: deno run -A scripts/dist.ts [--out DIR] [--cache DIR] [x86_64|aarch64]...
 * prints the archives' and the one-file forms' paths, one a line.
 *
 * @module
 */

import { errorLine, PlashError } from "../core/errors.ts";
import { VERSION } from "../core/version.ts";
import {
  type Arch,
  extractDeno,
  isArch,
  readPins,
  runtimeTarball,
  TARGETS,
} from "./release/deno_runtime.ts";
import { carryGlibc, glibcTree } from "./release/glibc.ts";
import { copyPackage, runtimePackages } from "./release/npm_packages.ts";
import { writeOneFile } from "./release/one_file.ts";

const ROOT = new URL("..", import.meta.url).pathname;
/** Signals that end a run: its staging directory goes with it. */
const SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** What the command line asks for. */
interface Options {
  out: string;
  cache: string;
  arches: Arch[];
}

function parseOptions(args: string[]): Options {
  const options: Options = { out: `${ROOT}dist`, cache: "", arches: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--out" || arg === "--cache") {
      const value = args[++i];
      if (!value) throw new PlashError(`dist: ${arg} needs a directory`, { exitCode: 2 });
      options[arg === "--out" ? "out" : "cache"] = value;
    } else if (isArch(arg)) {
      if (!options.arches.includes(arg)) options.arches.push(arg);
    } else {
      throw new PlashError(
        `dist: unknown argument ${arg} (usage: dist [--out DIR] [--cache DIR] ` +
          `[${Object.keys(TARGETS).join("|")}]...)`,
        { exitCode: 2 },
      );
    }
  }
  // Absolute: the bundle is written by a process working in the project.
  const absolute = (path: string) =>
    new URL(path, `file://${Deno.cwd()}/`).pathname.replace(/\/$/, "");
  options.out = absolute(options.out);
  options.cache = options.cache ? absolute(options.cache) : `${options.out}/cache`;
  if (!options.arches.length) options.arches = Object.keys(TARGETS) as Arch[];
  return options;
}

/** The versions in package.json and deno.json must be the one `plash version` prints. */
function checkVersions(): void {
  for (const file of ["package.json", "deno.json"]) {
    const { version } = JSON.parse(Deno.readTextFileSync(`${ROOT}${file}`));
    if (version !== VERSION) {
      throw new PlashError(`dist: ${file} says version ${version}, core/version.ts ${VERSION}`);
    }
  }
}

async function run(program: string, args: string[], what: string): Promise<void> {
  const output = await new Deno.Command(program, { args, stdout: "null", stderr: "piped" })
    .output();
  if (!output.success) {
    const log = new TextDecoder().decode(output.stderr).trim();
    if (Deno.env.get("PLASH_TRACE")) console.error(log);
    // A script of ours says what failed in its own "plash error:" line; another tool, last.
    const lines = log.split("\n");
    const own = lines.find((each) => each.startsWith("plash error: "));
    const why = own ? own.slice("plash error: ".length) : `${what}: ${lines.at(-1) || "failed"}`;
    throw new PlashError(`dist: ${why}`);
  }
}

/** Writes what every architecture's tree holds, all but lib/plash/deno, into `tree`. */
async function fillTree(tree: string): Promise<void> {
  const lib = `${tree}/lib/plash`;
  for (const dir of [`${tree}/bin`, lib, `${tree}/share/doc/plash`]) {
    Deno.mkdirSync(dir, { recursive: true });
  }
  Deno.copyFileSync(`${ROOT}scripts/release/launcher.sh`, `${tree}/bin/plash`);
  Deno.chmodSync(`${tree}/bin/plash`, 0o755);
  for (const file of ["README.md", "LICENSE"]) {
    Deno.copyFileSync(`${ROOT}${file}`, `${tree}/share/doc/plash/${file}`);
  }
  await run(Deno.execPath(), ["run", "-A", `${ROOT}scripts/bundle.ts`, `${lib}/dist/js`], "bundle");
  const project = JSON.parse(Deno.readTextFileSync(`${ROOT}package.json`));
  const { deno: _toolchain, ...dependencies } = project.dependencies;
  // No "type" field: "commonjs" would cost every start about 40 ms (DESIGN.md).
  const manifest = { name: "plash", version: VERSION, private: true, dependencies };
  Deno.writeTextFileSync(`${lib}/package.json`, JSON.stringify(manifest, null, 2) + "\n");
  // No lock file: the install may be read-only, and node_modules is complete as it is.
  const config = { nodeModulesDir: "manual", lock: false };
  Deno.writeTextFileSync(`${lib}/deno.json`, JSON.stringify(config, null, 2) + "\n");
  for (const dir of runtimePackages(ROOT)) copyPackage(`${ROOT}${dir}`, `${lib}/${dir}`);
}

function removeIfThere(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** `tar | gzip` of directory `name` in `staging`, as `staging/name.tar.gz`. */
async function writeArchive(staging: string, name: string): Promise<string> {
  const archive = `${staging}/${name}.tar.gz`;
  const epoch = Deno.env.get("SOURCE_DATE_EPOCH") || String(Math.floor(Date.now() / 1000));
  await run("tar", [
    "--sort=name",
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    `--mtime=@${epoch}`,
    "--mode=go-w,a+rX",
    "--use-compress-program=gzip -n",
    "-C",
    staging,
    "-cf",
    archive,
    name,
  ], `tar of ${name}`);
  Deno.chmodSync(archive, 0o644);
  return archive;
}

async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  checkVersions();
  const pins = readPins(ROOT);
  // Every download first (runtimes, C libraries): one that fails stops the run before anything
  // is built.
  const tarballs = new Map<Arch, string>();
  const glibcs = new Map<Arch, string>();
  for (const arch of options.arches) {
    tarballs.set(arch, await runtimeTarball(arch, pins, options.cache));
    glibcs.set(arch, await glibcTree(arch, options.cache));
  }
  Deno.mkdirSync(options.out, { recursive: true });
  // Everything is made in here, beside the output, and only whole archives are renamed out.
  const staging = Deno.makeTempDirSync({ dir: options.out, prefix: ".dist-" });
  const interrupted = () => {
    Deno.removeSync(staging, { recursive: true });
    Deno.exit(130);
  };
  for (const signal of SIGNALS) Deno.addSignalListener(signal, interrupted);
  try {
    // One tree, renamed for each architecture, with that architecture's Deno put in.
    let tree = `${staging}/tree`;
    await fillTree(tree);
    for (const arch of options.arches) {
      const name = `plash-${VERSION}-linux-${arch}`;
      Deno.renameSync(tree, `${staging}/${name}`);
      tree = `${staging}/${name}`;
      // The previous architecture's runtime and C library.
      for (const part of ["lib/plash/deno", "lib/plash/glibc"]) removeIfThere(`${tree}/${part}`);
      const deno = `${tree}/lib/plash/deno`;
      await extractDeno(tarballs.get(arch)!, deno);
      carryGlibc(
        glibcs.get(arch)!,
        arch,
        deno,
        `${tree}/lib/plash/glibc`,
        `${tree}/share/doc/plash`,
      );
      const archive = `${options.out}/${name}.tar.gz`;
      const staged = await writeArchive(staging, name);
      writeOneFile(staged, name, `${staging}/${name}.one-file`);
      Deno.renameSync(staged, archive);
      Deno.renameSync(`${staging}/${name}.one-file`, `${options.out}/${name}`);
      console.log(archive);
      console.log(`${options.out}/${name}`);
    }
  } finally {
    for (const signal of SIGNALS) Deno.removeSignalListener(signal, interrupted);
    Deno.removeSync(staging, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (error) {
    console.error(errorLine(error));
    Deno.exit(error instanceof PlashError ? error.exitCode : 1);
  }
}
