/**
 * Importing an image of an LXC image server: its index says where the newest
 * build of a name is; its `rootfs.tar.xz` becomes the image.
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import { cachedImport } from "../../build/sources.ts";
import { openUrl } from "../open_url.ts";
import { importUrl } from "../url/import_url.ts";
import { chooseBuild, type LxcBuild, parseIndex } from "./lxc_index.ts";
import { lxcArch, lxcServer, parseLxcName } from "./lxc_name.ts";

/** A build of an LXC image and the URL of its root filesystem archive. */
export interface LxcRootfs {
  build: LxcBuild;
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
  const builds = parseIndex(await new Response(body).text());
  if (!builds.length) throw new PlashError(`${index}: not an LXC image index`);
  let build: LxcBuild;
  try {
    build = chooseBuild(builds, parsed, lxcArch());
  } catch (error) {
    if (!(error instanceof PlashError)) throw error;
    throw new PlashError(`lxc image ${name} on ${server}: ${error.message}`);
  }
  return { build, url: `${server}${build.path.replace(/\/?$/, "/")}rootfs.tar.xz` };
}

/**
 * Imports the newest build of the LXC image `name` and returns its id. A
 * build imported before is not downloaded again.
 */
export async function importLxc(data: string, name: string): Promise<number> {
  const { build, url } = await findLxcRootfs(name);
  // One key per build. Not the server: a mirror's build of the same timestamp is the same.
  const { dist, release, arch, variant, timestamp } = build;
  const buildKey = `lxc:${dist}:${release}:${arch}:${variant}:${timestamp}`;
  return await cachedImport(data, buildKey, () => importUrl(data, url));
}
