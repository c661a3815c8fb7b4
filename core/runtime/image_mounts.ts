/**
 * The image's own bind mounts (`plash build --mount SRC[:DST]`): host paths,
 * directories or files, bound into every run of the image.
 *
 * Each source is opened before the chroot and bound through
 * `/proc/self/fd/N` after it, so the target, and any symlink on its way, is
 * resolved inside the container and can never lead back onto the host. A
 * missing target is created with its parents in the changes layer.
 *
 * @module
 */

import { bindMount, closeFd, openReadOnly } from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";
import type { ImageConfig } from "../store/image_config.ts";

/** A mount whose source is held open across the chroot. */
export interface OpenedMount {
  fd: number;
  target: string;
  isDirectory: boolean;
}

/** Opens the sources of the image's mounts; call before the chroot. */
export function openImageMounts(config: ImageConfig): OpenedMount[] {
  return (config.mounts ?? []).map(({ source, target }) => {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(source);
    } catch {
      throw new PlashError(`mount source is missing on the host: ${source}`);
    }
    return { fd: openReadOnly(source), target, isDirectory: info.isDirectory };
  });
}

/**
 * Binds each opened mount on its target; call after the chroot. Mount points
 * it had to create are added to `created`, parents first, so that a changes
 * layer can be rid of them again.
 */
export function bindImageMounts(mounts: OpenedMount[], created: string[]): void {
  for (const mount of mounts) {
    try {
      makeMountPoint(mount.target, mount.isDirectory, created);
      bindMount(`/proc/self/fd/${mount.fd}`, mount.target);
    } finally {
      closeFd(mount.fd);
    }
  }
}

function makeMountPoint(target: string, isDirectory: boolean, created: string[]): void {
  const made: string[] = [];
  const parts = target.split("/").filter(Boolean);
  let path = "";
  for (const [i, part] of parts.entries()) {
    path += `/${part}`;
    const wantDirectory = isDirectory || i < parts.length - 1;
    let info: Deno.FileInfo | undefined;
    try {
      info = Deno.statSync(path);
    } catch {
      if (wantDirectory) Deno.mkdirSync(path);
      else Deno.writeFileSync(path, new Uint8Array());
      made.push(path);
      continue;
    }
    if (info.isDirectory !== wantDirectory) {
      const kind = wantDirectory ? "a directory" : "a file";
      throw new PlashError(`mount target ${target}: ${path} is not ${kind} in the image`);
    }
  }
  created.push(...made);
}
