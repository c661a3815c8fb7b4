/**
 * The Deno runtime a release archive carries, from the npm registry: the
 * `@deno/linux-*-glibc` package of the Deno version package.json pins, fetched
 * with `npm pack` (so npm's own registry, proxy and auth settings apply) into a
 * cache directory, and checked against the integrity package-lock.json records.
 * Never downloaded from Deno's own host.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { PlashError, wrap } from "../../core/errors.ts";

/**
 * The targets plash ships for: our name, npm's and Deno's names for it, and
 * Debian's architecture and multiarch directory (where its C library is).
 */
export const TARGETS = {
  x86_64: {
    npm: "@deno/linux-x64-glibc",
    triple: "x86_64-unknown-linux-gnu",
    debian: "amd64",
    multiarch: "x86_64-linux-gnu",
  },
  aarch64: {
    npm: "@deno/linux-arm64-glibc",
    triple: "aarch64-unknown-linux-gnu",
    debian: "arm64",
    multiarch: "aarch64-linux-gnu",
  },
} as const;

/** `x86_64` or `aarch64`. */
export type Arch = keyof typeof TARGETS;

/** Whether `name` is an architecture plash ships for. */
export function isArch(name: string): name is Arch {
  return Object.hasOwn(TARGETS, name);
}

/** What the project pins: the Deno version (package.json) and each runtime package's integrity. */
export interface Pins {
  deno: string;
  integrity: Record<Arch, string>;
}

/** The pins, read from the project's package.json and package-lock.json. */
export function readPins(root: string): Pins {
  const manifest = JSON.parse(Deno.readTextFileSync(`${root}package.json`));
  const deno = manifest.dependencies?.deno;
  if (!/^\d+\.\d+\.\d+$/.test(deno ?? "")) {
    throw new PlashError(
      `package.json: the deno dependency must be one exact version, not ${deno}`,
    );
  }
  const lock = JSON.parse(Deno.readTextFileSync(`${root}package-lock.json`));
  const integrity = {} as Record<Arch, string>;
  for (const [arch, { npm }] of Object.entries(TARGETS) as [Arch, typeof TARGETS[Arch]][]) {
    const entry = lock.packages?.[`node_modules/${npm}`];
    if (entry?.version !== deno || !entry.integrity) {
      throw new PlashError(
        `package-lock.json: no ${npm}@${deno} with an integrity (run npm install)`,
      );
    }
    integrity[arch] = entry.integrity;
  }
  return { deno, integrity };
}

/** npm's integrity string (`sha512-BASE64`) of a file. */
function integrityOf(path: string): string {
  const hash = createHash("sha512").update(Deno.readFileSync(path)).digest("base64");
  return `sha512-${hash}`;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The path of the runtime package's tarball for `arch` in `cache`, fetched
 * when it is not there (or does not match the lock). A tarball is renamed
 * into the cache only once checked, so one in the cache is whole.
 */
export async function runtimeTarball(arch: Arch, pins: Pins, cache: string): Promise<string> {
  const { npm } = TARGETS[arch];
  const name = `${npm.slice(1).replace("/", "-")}-${pins.deno}.tgz`;
  const path = `${cache}/${name}`;
  const expected = pins.integrity[arch];
  if (exists(path) && integrityOf(path) === expected) return path;
  Deno.mkdirSync(cache, { recursive: true });
  const staging = Deno.makeTempDirSync({ dir: cache, prefix: ".npm-pack-" });
  try {
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command("npm", {
        args: ["pack", "--silent", "--pack-destination", staging, `${npm}@${pins.deno}`],
        cwd: staging, // outside any project: npm pack SPEC fetches, never packs ours
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (error) {
      throw wrap(error, `npm pack ${npm}@${pins.deno} (npm is needed to fetch the Deno runtime)`);
    }
    if (!output.success) {
      const why = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1);
      throw new PlashError(`npm pack ${npm}@${pins.deno}: ${why || `exit ${output.code}`}`);
    }
    const fetched = `${staging}/${name}`;
    if (!exists(fetched)) throw new PlashError(`npm pack ${npm}@${pins.deno} wrote no ${name}`);
    const actual = integrityOf(fetched);
    if (actual !== expected) {
      throw new PlashError(
        `${npm}@${pins.deno}: integrity ${actual} is not package-lock.json's ${expected}`,
      );
    }
    Deno.renameSync(fetched, path);
    return path;
  } finally {
    Deno.removeSync(staging, { recursive: true });
  }
}

/** Unpacks the `deno` binary of the runtime tarball to `destination` (mode 0755). */
export async function extractDeno(tarball: string, destination: string): Promise<void> {
  const dir = Deno.makeTempDirSync({ dir: destination.slice(0, destination.lastIndexOf("/")) });
  try {
    const output = await new Deno.Command("tar", {
      args: ["-xzf", tarball, "-C", dir, "package/deno"],
      stderr: "piped",
    }).output();
    if (!output.success) {
      const why = new TextDecoder().decode(output.stderr).trim().split("\n")[0];
      throw new PlashError(`tar -x ${tarball}: ${why}`);
    }
    Deno.chmodSync(`${dir}/package/deno`, 0o755);
    Deno.renameSync(`${dir}/package/deno`, destination);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
