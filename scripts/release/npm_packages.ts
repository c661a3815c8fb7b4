/**
 * The npm packages a release archive carries: those plash imports at run time
 * (package.json's dependencies but `deno`) and everything they depend on, as
 * installed in node_modules. They must be plain JavaScript (and wasm): one set
 * serves both architectures. A package's `prebuilds/` (native code for other
 * runtimes, such as Bare's) is never loaded by Deno: those are left out, and
 * so are type declarations (`deno run` does not type-check).
 *
 * @module
 */

import { PlashError } from "../../core/errors.ts";

/** Directory names that hold native builds for other runtimes, never loaded by Deno. */
const NATIVE_DIRS = new Set(["prebuilds"]);
/** Type declarations: read by a type check only. */
const DECLARATIONS = /\.d\.[cm]?ts$/;

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(`${dir}/package.json`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Where Node's resolution finds package `name` from package directory `from`, if installed. */
function resolvePackage(root: string, from: string, name: string): string | undefined {
  for (let dir = from; dir.startsWith(root); dir = dir.slice(0, dir.lastIndexOf("/"))) {
    const candidate = `${dir}/node_modules/${name}`;
    if (readManifest(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The installed package directories plash needs at run time, relative to
 * `root` (`node_modules/xz-decompress`), sorted.
 */
export function runtimePackages(root: string): string[] {
  root = root.replace(/\/$/, "");
  const project = readManifest(root)!;
  const found = new Set<string>();
  const visit = (from: string, manifest: Manifest, roots = false) => {
    const wanted = new Map<string, boolean>(); // name -> required
    for (const name of Object.keys(manifest.dependencies ?? {})) wanted.set(name, true);
    for (const name of Object.keys(manifest.optionalDependencies ?? {})) wanted.set(name, false);
    for (const name of Object.keys(manifest.peerDependencies ?? {})) {
      wanted.set(name, !manifest.peerDependenciesMeta?.[name]?.optional);
    }
    for (const [name, required] of wanted) {
      if (roots && name === "deno") continue; // the toolchain, not a library plash loads
      const dir = resolvePackage(root, from, name);
      if (!dir) {
        if (!required) continue;
        throw new PlashError(`${manifest.name}: its dependency ${name} is not installed (npm ci)`);
      }
      if (found.has(dir)) continue;
      found.add(dir);
      visit(dir, readManifest(dir)!);
    }
  };
  visit(root, project, true);
  return [...found].map((dir) => dir.slice(root.length + 1)).sort();
}

/**
 * Copies package directory `from` to `to`: files, their modes and symlinks,
 * without `prebuilds/`, type declarations and nested node_modules (their
 * packages are copied on their own when needed). Native addons (`*.node`)
 * are refused.
 */
export function copyPackage(from: string, to: string): void {
  Deno.mkdirSync(to, { recursive: true, mode: 0o755 });
  for (const entry of Deno.readDirSync(from)) {
    const source = `${from}/${entry.name}`;
    const target = `${to}/${entry.name}`;
    if (entry.isDirectory) {
      if (NATIVE_DIRS.has(entry.name) || entry.name === "node_modules") continue;
      copyPackage(source, target);
    } else if (entry.isSymlink) {
      Deno.symlinkSync(Deno.readLinkSync(source), target);
    } else if (!DECLARATIONS.test(entry.name)) {
      if (entry.name.endsWith(".node")) {
        throw new PlashError(`${source}: a native addon cannot go into an archive for every arch`);
      }
      Deno.copyFileSync(source, target);
      Deno.chmodSync(target, Deno.statSync(source).mode! & 0o111 ? 0o755 : 0o644);
    }
  }
}
