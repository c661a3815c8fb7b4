/**
 * The C library a release archive carries, so that it runs on a host with
 * none (musl or busybox only): glibc's loader and the libraries Deno needs,
 * followed from Deno's `DT_NEEDED` entries as `ldd` would, taken from
 * Debian's `libc6` and `libgcc-s1` of the target's architecture (by
 * `apt-get download`, kept in dist's cache directory), with their licence
 * notices. The launcher starts Deno through that loader.
 *
 * @module
 */

import { PlashError, wrap } from "../../core/errors.ts";
import { unpackDebianPackage } from "../debian_package.ts";
import { type Arch, TARGETS } from "./deno_runtime.ts";
import { neededLibraries } from "./elf_needed.ts";

/** The Debian packages the carried libraries come from. */
const PACKAGES = ["libc6", "libgcc-s1"];

/**
 * The files of {@linkcode PACKAGES} for `arch`, unpacked once into
 * `cache/glibc-DEBIANARCH` (renamed into place whole, so one there is
 * complete), with the package a doc directory links to when it is a link
 * (libgcc-s1's copyright is gcc-12-base's).
 */
export async function glibcTree(arch: Arch, cache: string): Promise<string> {
  const { debian } = TARGETS[arch];
  const dir = `${cache}/glibc-${debian}`;
  try {
    Deno.statSync(dir);
    return dir;
  } catch {
    // Not unpacked yet.
  }
  Deno.mkdirSync(cache, { recursive: true });
  const staging = Deno.makeTempDirSync({ dir: cache, prefix: ".glibc-" });
  try {
    for (const name of PACKAGES) {
      await unpackDebianPackage(`${name}:${debian}`, staging, `${cache}/debs`);
      const doc = `${staging}/usr/share/doc/${name}`;
      if (Deno.lstatSync(doc).isSymlink) {
        await unpackDebianPackage(`${Deno.readLinkSync(doc)}:${debian}`, staging, `${cache}/debs`);
      }
    }
    Deno.renameSync(staging, dir);
  } catch (error) {
    Deno.removeSync(staging, { recursive: true });
    throw wrap(error, `dist: the C library for ${arch} (Debian's ${PACKAGES.join(", ")})`);
  }
  return dir;
}

/**
 * Copies into `lib` the loader and every library `deno` needs, directly or
 * through another, from `tree` ({@linkcode glibcTree}), and the packages'
 * copyright files into `docs/PACKAGE/copyright`.
 */
export function carryGlibc(tree: string, arch: Arch, deno: string, lib: string, docs: string) {
  const from = `${tree}/lib/${TARGETS[arch].multiarch}`;
  Deno.mkdirSync(lib, { recursive: true });
  const wanted = neededLibraries(deno).map((name) => ({ name, by: deno }));
  const carried = new Set<string>();
  for (let next = wanted.shift(); next; next = wanted.shift()) {
    if (carried.has(next.name)) continue;
    const source = `${from}/${next.name}`;
    try {
      Deno.copyFileSync(source, `${lib}/${next.name}`); // through the package's links
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new PlashError(
        `${next.by} needs ${next.name}, which ${PACKAGES.join(" and ")} do not hold`,
      );
    }
    Deno.chmodSync(`${lib}/${next.name}`, 0o755);
    carried.add(next.name);
    wanted.push(...neededLibraries(source).map((name) => ({ name, by: source })));
  }
  for (const name of PACKAGES) {
    Deno.mkdirSync(`${docs}/${name}`, { recursive: true });
    Deno.copyFileSync(`${tree}/usr/share/doc/${name}/copyright`, `${docs}/${name}/copyright`);
  }
}
