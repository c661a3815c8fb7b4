/**
 * What a container shares with the host: /proc /dev /sys /tmp /home /root
 * and /etc/resolv.conf. (The image's own `--mount`s are in image_mounts.ts.)
 *
 * @module
 */

import { bindMount, closeFd, openReadOnly } from "../../ffi/sys.ts";

/** Host directories bound at the same place in every container. */
const HOST_DIRS = ["/proc", "/dev", "/sys", "/tmp", "/home", "/root"];

/** The host directories a container shares, each bound at the same path. */
export function hostBinds(options: { tmp: boolean }): [string, string][] {
  const dirs = HOST_DIRS.filter((dir) => options.tmp || dir !== "/tmp");
  return dirs.map((dir): [string, string] => [dir, dir]);
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function lstatOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Binds each host directory that exists onto its path under `root`. Missing
 * mount points (and their missing parents) are made in the changes layer
 * and reported in `created`; a path through a symlink or a file in the image
 * is skipped, since following it would leave the image.
 */
export function bindHostDirs(root: string, binds: [string, string][], created: string[]): void {
  for (const [source, target] of binds) {
    if (isDirectory(source) && makeMountPoint(root, target, created)) {
      bindMount(source, `${root}${target}`);
    }
  }
}

/** Makes sure `root + target` is a directory reached without symlinks. */
function makeMountPoint(root: string, target: string, created: string[]): boolean {
  let path = "";
  for (const part of target.split("/").filter(Boolean)) {
    path += `/${part}`;
    const existing = lstatOrUndefined(`${root}${path}`);
    if (existing?.isDirectory) continue;
    if (existing !== undefined) return false;
    if (!tryCreating(() => Deno.mkdirSync(`${root}${path}`))) return false;
    created.push(path);
  }
  return true;
}

/**
 * Makes a mount point; false when the image does not let it be made (a
 * read-only directory, or one owned by an id that a rootless run cannot
 * copy up): that bind is then skipped rather than failing the run.
 */
function tryCreating(make: () => void): boolean {
  try {
    make();
    return true;
  } catch {
    return false;
  }
}

/**
 * The host's resolv.conf, opened before the chroot. After the chroot it is
 * bound onto the container's /etc/resolv.conf, so a symlink there resolves
 * inside the container and never leads back onto the host.
 */
export function openHostResolvConf(): number | undefined {
  try {
    return openReadOnly("/etc/resolv.conf");
  } catch {
    return undefined;
  }
}

/** Binds the host resolv.conf held by `fd` onto /etc/resolv.conf; call after chroot. */
export function bindResolvConf(fd: number, created: string[]): void {
  try {
    let target = "/etc/resolv.conf";
    try {
      target = Deno.realPathSync(target);
    } catch {
      // Missing, or a dangling symlink: create the file the link names.
      const link = lstatOrUndefined(target);
      if (link?.isSymlink) target = resolveDangling(target);
      if (!isDirectory(target.slice(0, target.lastIndexOf("/")) || "/")) return;
      if (!tryCreating(() => Deno.writeFileSync(target, new Uint8Array(), { createNew: true }))) {
        return;
      }
      created.push(target);
    }
    if (!Deno.statSync(target).isFile) return;
    bindMount(`/proc/self/fd/${fd}`, target);
  } finally {
    closeFd(fd);
  }
}

function resolveDangling(link: string): string {
  const target = Deno.readLinkSync(link);
  if (target.startsWith("/")) return target;
  const parts = link.split("/").slice(0, -1);
  for (const part of target.split("/")) {
    if (part === "..") {
      if (parts.length > 1) parts.pop();
    } else if (part !== "." && part !== "") parts.push(part);
  }
  return parts.join("/") || "/";
}
