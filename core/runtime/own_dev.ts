/**
 * A container's own /dev, for a container with devices of its own: a run
 * otherwise shows the host's /dev itself (a bind), where a device node the
 * host lacks (`--device /dev/sdb:/dev/xvdc`, a CDI device renamed) could only
 * be made on the host. So /dev becomes a tmpfs of the container's, holding
 * the host's /dev entry by entry (each bound, its mounts with it; symlinks
 * made again), and the devices are bound into it: the container sees what a
 * run sees, plus its devices, and nothing is made on the host.
 *
 * @module
 */

import { SyscallError } from "../../ffi/errors.ts";
import { fdPath, openInRoot } from "../../ffi/in_root.ts";
import { closeFd, mount, MS } from "../../ffi/sys.ts";
import { PlashError, reason } from "../errors.ts";
import { placeTarget } from "./binds.ts";
import { DEV } from "./host_view.ts";
import { entryExists } from "../tree/entry_exists.ts";

/**
 * Mounts a tmpfs on the image root `rootFd`'s /dev (made when missing, listed
 * in `created`), shows the host's /dev entries in it, and makes the files the
 * devices at `devicePaths` are bound onto (where a host directory of /dev
 * holds one, the host's must have it: nothing is made on the host).
 */
export function makeOwnDev(rootFd: number, created: string[], devicePaths: string[]): void {
  const target = { target: DEV, directory: true, owner: "host" as const, required: true };
  const mountPoint = placeTarget(rootFd, target, created)!;
  try {
    mount("tmpfs", fdPath(mountPoint), "tmpfs", MS.NOSUID, "mode=0755");
  } catch (error) {
    throw new PlashError(`${DEV}: mount tmpfs: ${reason(error)}`, { cause: error });
  } finally {
    closeFd(mountPoint);
  }
  // The tmpfs is this container's alone, fresh: no link of the image's is in it.
  const devFd = openInRoot(rootFd, DEV, { symlinks: "refuse", directory: true });
  try {
    const dev = fdPath(devFd);
    const hostDirs = new Set<string>();
    for (const entry of Deno.readDirSync(DEV)) {
      if (showHostEntry(entry, dev)) hostDirs.add(entry.name);
    }
    for (const path of devicePaths) {
      const parts = path.slice(DEV.length + 1).split("/").filter(Boolean);
      // Under a host directory: the device's own bind finds its node there, or says why not.
      if (hostDirs.has(parts[0])) continue;
      const parent = [dev, ...parts.slice(0, -1)].join("/");
      Deno.mkdirSync(parent, { recursive: true });
      if (!entryExists(`${parent}/${parts.at(-1)}`)) {
        Deno.writeFileSync(`${parent}/${parts.at(-1)}`, new Uint8Array(), { mode: 0o600 });
      }
    }
  } finally {
    closeFd(devFd);
  }
}

/**
 * The host's /dev entry `entry` shown in the container's /dev at `dev`;
 * whether it is a directory (the host's, bound).
 */
function showHostEntry(entry: Deno.DirEntry, dev: string): boolean {
  const source = `${DEV}/${entry.name}`;
  const target = `${dev}/${entry.name}`;
  try {
    if (entry.isSymlink) {
      Deno.symlinkSync(Deno.readLinkSync(source), target);
      return false;
    }
    if (entry.isDirectory) Deno.mkdirSync(target);
    else Deno.writeFileSync(target, new Uint8Array(), { mode: 0o600 });
    mount(source, target, null, MS.BIND | MS.REC);
    return entry.isDirectory;
  } catch (error) {
    // Gone from the host's /dev since it was listed: nothing to show.
    if (error instanceof Deno.errors.NotFound || isGone(error)) return false;
    throw new PlashError(`${DEV}/${entry.name}: shown from the host: ${reason(error)}`, {
      cause: error,
    });
  }
}

function isGone(error: unknown): boolean {
  return error instanceof SyscallError && error.code === "ENOENT";
}
