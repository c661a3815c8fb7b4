/**
 * Test support: the release archives (`scripts/dist.ts`), built once for the
 * sources as they are and shared by every test file of a run (each file is a
 * module graph of its own, so the sharing is on disk): `.fixtures/dist/KEY/`,
 * KEY a hash of everything that goes into an archive. The build holds the
 * archives and their one-file forms. A build for other
 * sources replaces the one there. The Deno runtimes from the npm registry are
 * kept in `.fixtures/npm-packs/`.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { Arch } from "../../scripts/release/deno_runtime.ts";
import { runCommand } from "./command.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const BUILDS = `${ROOT}.fixtures/dist`;

/** What an archive is made of: the files whose change means a new archive. */
function* inputs(dir = ""): Generator<string> {
  const top = [
    "cli.ts",
    "core",
    "ffi",
    "scripts/bundle.ts",
    "scripts/debian_package.ts",
    "scripts/dist.ts",
    "scripts/release",
  ];
  const files = ["package.json", "package-lock.json", "deno.json", "README.md", "LICENSE"];
  for (
    const path of dir
      ? [...Deno.readDirSync(`${ROOT}${dir}`)].map((e) => `${dir}/${e.name}`)
      : [...top, ...files]
  ) {
    if (Deno.statSync(`${ROOT}${path}`).isDirectory) yield* inputs(path);
    else yield path;
  }
}

function sourceKey(): string {
  const hash = createHash("sha256");
  for (const path of [...inputs()].sort()) {
    hash.update(`${path}\0`).update(Deno.readFileSync(`${ROOT}${path}`)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** The archives for this machine's sources, one per architecture, built when missing. */
export function distArchives(): Promise<Record<Arch, string>> {
  return distFiles(/^plash-.*-linux-(x86_64|aarch64)\.tar\.gz$/);
}

/** The archives' one-file forms (`dist/plash-VERSION-linux-ARCH`), built when missing. */
export function distOneFiles(): Promise<Record<Arch, string>> {
  return distFiles(/^plash-.*-linux-(x86_64|aarch64)$/);
}

/** The files of the build for these sources whose names `pattern` matches, by architecture. */
async function distFiles(pattern: RegExp): Promise<Record<Arch, string>> {
  const dir = `${BUILDS}/${sourceKey()}`;
  const files = (): Record<Arch, string> => {
    const found = {} as Record<Arch, string>;
    for (const entry of Deno.readDirSync(dir)) {
      const match = pattern.exec(entry.name);
      if (match) found[match[1] as Arch] = `${dir}/${entry.name}`;
    }
    return found;
  };
  try {
    // The directory is renamed into place whole, so one that is there is complete.
    return files();
  } catch {
    // Not built for these sources yet.
  }
  Deno.mkdirSync(BUILDS, { recursive: true });
  const staging = Deno.makeTempDirSync({ dir: BUILDS, prefix: ".build-" });
  try {
    const built = await runCommand(Deno.execPath(), [
      "run",
      "-A",
      `${ROOT}scripts/dist.ts`,
      "--out",
      staging,
      "--cache",
      `${ROOT}.fixtures/npm-packs`,
    ]);
    if (built.code !== 0) throw new Error(`deno task dist failed: ${built.stderr}`);
    for (const entry of Deno.readDirSync(BUILDS)) {
      if (!entry.name.startsWith(".")) {
        Deno.removeSync(`${BUILDS}/${entry.name}`, { recursive: true });
      }
    }
    Deno.renameSync(staging, dir);
  } catch (error) {
    Deno.removeSync(staging, { recursive: true });
    throw error;
  }
  return files();
}

/** An archive unpacked into a temp dir, removed with `using`. */
export class Unpacked implements Disposable {
  /** The temp dir: the unpacked directory, and room for a store and caches beside it. */
  readonly dir: string;
  /** `bin/plash` of the archive. */
  readonly plash: string;

  private constructor(dir: string, plash: string) {
    this.dir = dir;
    this.plash = plash;
  }

  /** Unpacks `archive` (with tar, as a user would). */
  static async from(archive: string): Promise<Unpacked> {
    const dir = Deno.makeTempDirSync({ prefix: "plash-unpacked-" });
    const tar = await runCommand("tar", ["-xzf", archive, "-C", dir]);
    if (tar.code !== 0) {
      Deno.removeSync(dir, { recursive: true });
      throw new Error(`tar -x ${archive}: ${tar.stderr}`);
    }
    const name = archive.slice(archive.lastIndexOf("/") + 1, -".tar.gz".length);
    return new Unpacked(dir, `${dir}/${name}/bin/plash`);
  }

  [Symbol.dispose](): void {
    Deno.removeSync(this.dir, { recursive: true });
  }
}
