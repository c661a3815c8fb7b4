/**
 * Importing an image of an LXC image server: its index says where the newest
 * build of a name is; its `rootfs.tar.xz` becomes the image.
 *
 * @module
 */

import { PlashError, wrap } from "../../errors.ts";
import { readLimited } from "../../net/http.ts";
import { openUrl } from "../../net/open_url.ts";
import { KEYS } from "../../store/keys.ts";
import type { Store } from "../../store/store.ts";
import { DOCUMENT_LIMIT } from "../limits.ts";
import { importUrl } from "../tarball/import_url.ts";
import { chooseBuild, type LxcBuild, parseIndex } from "./lxc_index.ts";
import { lxcArch, lxcServer, parseLxcName } from "./lxc_name.ts";

/** A build of an LXC image and the URL of its root filesystem archive. */
export interface LxcRootfs {
  /** The build, as the server's index lists it. */
  build: LxcBuild;
  /** Where its `rootfs.tar.xz` is. */
  url: string;
}

/**
 * The newest build of `name` (see {@linkcode parseLxcName}) for this host's
 * architecture. Fetches the index; an unknown name fails with one line
 * listing what the index has.
 */
export async function findLxcRootfs(name: string): Promise<LxcRootfs> {
  const parsed = parseLxcName(name);
  const server = lxcServer();
  const index = `${server}/meta/1.0/index-user`;
  const { body } = await openUrl(index);
  const builds = parseIndex(
    new TextDecoder().decode(await readLimited(body, DOCUMENT_LIMIT, index)),
  );
  if (!builds.length) throw new PlashError(`${index}: not an LXC image index`);
  let build: LxcBuild;
  try {
    build = chooseBuild(builds, parsed, lxcArch());
  } catch (error) {
    if (!(error instanceof PlashError)) throw error;
    throw wrap(error, `lxc image ${name} on ${server}`);
  }
  return { build, url: `${server}${build.path.replace(/\/?$/, "/")}rootfs.tar.xz` };
}

/**
 * Imports the newest build of the LXC image `name` and returns its id. A
 * build imported before is not downloaded again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importLxc } from "./import_lxc.ts";
 * import { lxcArch } from "./lxc_name.ts";
 * import { exportTarTo } from "../tarball/export_tar.ts";
 * import { Store } from "../../store/store.ts";
 *
 * // A mirror of images.linuxcontainers.org in a directory: its index and one build.
 * const store = Store.create(Deno.makeTempDirSync());
 * const mirror = Deno.makeTempDirSync();
 * const build = `/images/debian/trixie/${lxcArch()}/default/20260101_05:24/`;
 * Deno.mkdirSync(`${mirror}/meta/1.0`, { recursive: true });
 * Deno.mkdirSync(`${mirror}${build}`, { recursive: true });
 * const line = `debian;trixie;${lxcArch()};default;20260101_05:24;${build}\n`;
 * Deno.writeTextFileSync(`${mirror}/meta/1.0/index-user`, line);
 * await exportTarTo(store, store.addLayer(0, store.makeTmpDir()), `${mirror}${build}rootfs.tar.xz`);
 * Deno.env.set("PLASH_LXC_SERVER", `file://${mirror}`); // by default the real one
 * const id = await importLxc(store, "debian:trixie");
 * assert.equal(await importLxc(store, "debian"), id); // the same build, not downloaded again
 * Deno.env.delete("PLASH_LXC_SERVER");
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(mirror, { recursive: true });
 * ```
 */
export async function importLxc(store: Store, name: string): Promise<number> {
  const { build, url } = await findLxcRootfs(name);
  // One key per build. Not the server: a mirror's build of the same timestamp is the same.
  return await store.cached(KEYS.lxcBuild(build), () => importUrl(store, url));
}
