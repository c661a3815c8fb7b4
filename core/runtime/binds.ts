/**
 * Binding a host path into an image root: the step of a container's set-up
 * that meets what the image holds (the plan, `plan.ts`, says which binds).
 *
 * Every source is opened on the host first (`O_PATH`), every target is
 * resolved and, when missing, made strictly inside the image root (see
 * `ffi/in_root.ts`): a symlink, `..` or magic link in the image can never
 * point a bind or a new mount point at a host path. Mount points are made
 * only on the image's own filesystem (never through an earlier bind), in the
 * changes layer, and listed in `created` so that `create` can take them out
 * again.
 *
 * @module
 */

import { SyscallError } from "../../ffi/errors.ts";
import {
  fdPath,
  findInRoot,
  makeDirAt,
  makeFileAt,
  MAX_LINKS,
  openInRoot,
  openMadeAt,
  openPath,
  readLinkFd,
  symlinkTarget,
} from "../../ffi/in_root.ts";
import { fileStatus } from "../../ffi/stat.ts";
import { closeFd, mount, MS } from "../../ffi/sys.ts";
import { PlashError, reason } from "../errors.ts";

/** A place in the image where something is mounted (a bind, the image view) or made (`-w`). */
export interface MountTarget {
  /** Where it is, an absolute path inside the image. */
  target: string;
  /** A directory, or a single file. */
  directory: boolean;
  /**
   * "host": one of plash's fixed places; a symlink anywhere on its way is
   * refused, and when the image has something else there the bind is
   * skipped with a warning. "image": the image names the place (its
   * resolv.conf, its `--mount`s): symlinks are followed, inside the image.
   * "caller": the caller names the place (`-v`): the image's symlinks on the
   * way are followed while they stay in the image; one that climbs above its
   * root or leads into a mount (a host directory) fails the run.
   */
  owner: "host" | "image" | "caller";
  /** Fail the run when it cannot be placed (the image's `--mount`s), else skip it. */
  required?: boolean;
  /** Placed only where the image has nothing: the image's own files are not hidden. */
  onlyWhereMissing?: boolean;
  /** What the target is called in errors; "mount target" unless said. */
  label?: string;
}

/** One bind: a host path shown at a place in the image. */
export interface BindSpec extends MountTarget {
  /** The host path. */
  source: string;
  /** Bound read-only. */
  readOnly?: boolean;
}

/**
 * Binds `bind` into the image root `rootFd`: its source opened on the host
 * (a host without it shares nothing there), its target found or made inside
 * the root, mount points made listed in `created`. A bind that cannot be
 * placed is skipped with one warning line or, when required, fails the run
 * in one line. Returns where in the root it was bound, undefined when skipped.
 *
 * It binds writable: a `readOnly` bind is `read_only_bind.ts`'s, which
 * calls this and then makes the bind read-only (a plain run has none, so
 * the code for it is not loaded with this).
 */
export function applyBind(rootFd: number, bind: BindSpec, created: string[]): string | undefined {
  let sourceFd: number;
  try {
    sourceFd = openPath(bind.source, { directory: bind.directory && bind.owner === "host" });
  } catch (error) {
    if (bind.required) throw new PlashError(`mount source ${bind.source}: ${reason(error)}`);
    return; // this host has no such directory or file
  }
  try {
    const target = place(rootFd, bind, created, bind.source);
    if (target === undefined) return;
    try {
      mount(fdPath(sourceFd), fdPath(target.fd), null, MS.BIND | MS.REC);
    } finally {
      closeFd(target.fd);
    }
    return target.path;
  } finally {
    closeFd(sourceFd);
  }
}

/**
 * Binds the image root onto `target` inside itself, not recursively: the
 * image as it is, without the host directories bound over it.
 */
export function bindImageView(rootFd: number, target: string, created: string[]): void {
  const view: MountTarget = { target, directory: true, owner: "host", required: true };
  const targetFd = placeTarget(rootFd, view, created)!;
  try {
    mount(fdPath(rootFd), fdPath(targetFd), null, MS.BIND);
  } finally {
    closeFd(targetFd);
  }
}

/**
 * Mounts a sysfs of the container's network namespace on `target` (where
 * the host's /sys would be bound), read-only as docker mounts it: its
 * `class/net` lists the container's interfaces, the host's /sys the host's.
 */
export function mountSysfs(rootFd: number, target: string, created: string[]): void {
  const sys: MountTarget = { target, directory: true, owner: "host", required: true };
  const targetFd = placeTarget(rootFd, sys, created)!;
  try {
    mount("sysfs", fdPath(targetFd), "sysfs", MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC);
  } finally {
    closeFd(targetFd);
  }
}

/**
 * Makes directory `target` in the image when it is missing (`-w`), as a
 * caller's bind target is made: on the image's own filesystem, through none
 * of the image's links that lead out of it.
 */
export function makeDirInImage(rootFd: number, target: string, created: string[]): void {
  const dir: MountTarget = {
    target,
    directory: true,
    owner: "caller",
    required: true,
    label: "working directory",
  };
  closeFd(placeTarget(rootFd, dir, created)!);
}

/**
 * A descriptor of `target` inside the root, made when missing; undefined
 * when an optional one cannot be placed (said in one warning).
 */
export function placeTarget(
  rootFd: number,
  target: MountTarget,
  created: string[],
): number | undefined {
  return place(rootFd, target, created, target.target)?.fd;
}

/**
 * {@linkcode placeTarget}, with the path in the root where the target was
 * found; `shared` names what is not shared when an optional one is skipped.
 */
function place(
  rootFd: number,
  bind: MountTarget,
  created: string[],
  shared: string,
): { fd: number; path: string } | undefined {
  const symlinks = bind.owner === "image" ? "follow" : "refuse";
  let path = bind.target;
  try {
    // The caller's target: the image's links resolved first, so that none is left on the way.
    if (bind.owner === "caller") path = resolveInImage(rootFd, bind.target);
    const found = findInRoot(rootFd, path, { symlinks, directory: bind.directory });
    if (found !== undefined) {
      if (!bind.onlyWhereMissing) return { fd: checkedKind(found, bind), path };
      closeFd(found);
      return undefined;
    }
    const missing = path;
    if (bind.owner === "image") path = danglingTarget(rootFd, bind.target) ?? path;
    const point = makeMountPoint(rootFd, path, bind.directory, symlinks, created, path === missing);
    // What was made is of the bind's kind; what was found on the way is checked.
    return { fd: point.made ? point.fd : checkedKind(point.fd, bind), path };
  } catch (error) {
    const why = refusal(error, bind, path);
    if (bind.required) {
      throw new PlashError(`${bind.label ?? "mount target"} ${bind.target}: ${why}`, {
        cause: error,
      });
    }
    if (why !== undefined) console.error(`plash warning: ${shared} is not shared: ${why}`);
    return undefined;
  }
}

/** Thrown when a symlink in the image leads a caller's path out of it. */
class LeavesImage extends Error {}

/**
 * `path` in the image with the image's symlinks on the way resolved, as the
 * kernel would inside the root, but refusing a link that climbs above the
 * root (`../../..`) or leads into a mount (the host's /tmp, say): the caller
 * asked for a place in the image. What does not exist yet is kept as written.
 */
export function resolveInImage(rootFd: number, path: string): string {
  const pending = path.split("/").filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length) {
    const name = pending.shift()!;
    if (name === "." || name === "..") {
      if (name === ".." && resolved.pop() === undefined) throw new LeavesImage();
      continue;
    }
    const here = `/${[...resolved, name].join("/")}`;
    let fd: number;
    try {
      fd = openInRoot(rootFd, here, { symlinks: "refuse", noFollowLast: true });
    } catch (error) {
      if (!isCode(error, "ENOENT")) throw error;
      pending.unshift(name);
      break;
    }
    try {
      const text = symlinkTarget(fd, here);
      if (text === undefined) {
        resolved.push(name);
        continue;
      }
      if (++links > MAX_LINKS) throw new SyscallError("openat2", path, 40); // ELOOP
      if (text.startsWith("/")) resolved.length = 0;
      pending.unshift(...text.split("/").filter(Boolean));
    } finally {
      closeFd(fd);
    }
  }
  if (links > 0) {
    // Where the links led must be on the image's own filesystem, crossing no bind.
    try {
      closeFd(
        openInRoot(rootFd, `/${resolved.join("/")}`, { symlinks: "refuse", sameMount: true }),
      );
    } catch (error) {
      if (isCode(error, "EXDEV")) throw new LeavesImage();
      throw error;
    }
  }
  return `/${[...resolved, ...pending].join("/")}`;
}

/** `fd` when what it refers to is of the bind's kind; a directory where a file goes is refused. */
function checkedKind(fd: number, bind: MountTarget): number {
  if (bind.directory || fileStatus(fdPath(fd), { follow: true })?.type !== "directory") return fd;
  closeFd(fd);
  throw new SyscallError("openat2", bind.target, 21); // EISDIR
}

/**
 * Where a dangling symlink at `target` points, as a path inside the root,
 * or undefined when there is no symlink there.
 */
function danglingTarget(rootFd: number, target: string): string | undefined {
  let linkFd: number | undefined;
  try {
    // Not openInRoot: an image without the target (most have no resolv.conf) costs no error.
    linkFd = findInRoot(rootFd, target, { symlinks: "follow", noFollowLast: true });
  } catch {
    return undefined;
  }
  if (linkFd === undefined) return undefined;
  try {
    if (fileStatus(fdPath(linkFd), { follow: false })?.type !== "symlink") return undefined;
    const text = readLinkFd(linkFd, target);
    const base = text.startsWith("/") ? [] : target.split("/").slice(0, -1);
    const parts: string[] = [];
    for (const part of [...base, ...text.split("/")]) {
      if (part === "..") parts.pop(); // at the root, ".." is the root, as in the kernel
      else if (part !== "." && part !== "") parts.push(part);
    }
    return `/${parts.join("/")}`;
  } finally {
    closeFd(linkFd);
  }
}

/**
 * Makes the missing components of `path` (directories, and the last one a
 * file unless `directory`), each in its parent found inside the root on the
 * image's own filesystem; adds each to `created`, parents first. Returns a
 * descriptor of the last, and whether it was made here. With `lastMissing`
 * the caller has just found the last component missing: it is made without
 * a lookup (`mkdirat` fails if it appeared since).
 */
function makeMountPoint(
  rootFd: number,
  path: string,
  directory: boolean,
  symlinks: "follow" | "refuse",
  created: string[],
  lastMissing: boolean,
): { fd: number; made: boolean } {
  const parts = path.split("/").filter(Boolean);
  // The walk starts at the root itself (a directory, on its own filesystem): not opened again.
  let parentFd = rootFd;
  const leave = (fd: number) => fd !== rootFd && closeFd(fd);
  try {
    for (const [i, name] of parts.entries()) {
      const prefix = `/${parts.slice(0, i + 1).join("/")}`;
      const last = i === parts.length - 1;
      const known = last && lastMissing && name !== "." && name !== "..";
      const next = known ? undefined : findInRoot(rootFd, prefix, {
        symlinks,
        directory: !last || directory,
        sameMount: true,
      });
      if (next !== undefined) {
        if (last) return { fd: next, made: false };
        leave(parentFd);
        parentFd = next;
        continue;
      }
      if (last && !directory) makeFileAt(parentFd, name, prefix);
      else makeDirAt(parentFd, name, prefix);
      created.push(prefix);
      // Made just now in a directory held open: opened from there, not looked up again.
      const made = openMadeAt(parentFd, name, prefix, !last || directory);
      if (last) return { fd: made, made: true };
      leave(parentFd);
      parentFd = made;
    }
  } finally {
    leave(parentFd);
  }
  return { fd: openInRoot(rootFd, path, { symlinks, directory }), made: false };
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof SyscallError && error.code === code;
}

/**
 * Why a bind's target was refused, in words; undefined for an image that
 * does not let a mount point be made (a read-only directory, or one owned by
 * an id that a rootless run cannot copy up: EACCES, EPERM, EROFS, EOVERFLOW),
 * which is skipped quietly.
 */
function refusal(error: unknown, bind: MountTarget, path: string): string | undefined {
  if (error instanceof LeavesImage) return "a symlink in the image on the way leads out of it";
  if (!(error instanceof SyscallError)) throw error;
  const kind = bind.directory ? "directory" : "file";
  switch (error.code) {
    case "ELOOP":
      return `the image has a symlink on the way to ${bind.target}`;
    case "ENOTDIR":
    case "EISDIR":
    case "EEXIST":
      return `${bind.target} in the image is not a ${kind}`;
    case "EXDEV":
      return `${path} would have to be made outside the image`;
    case "EACCES":
    case "EPERM":
    case "EROFS":
    case "EOVERFLOW":
      return bind.required ? error.message : undefined;
    default:
      return error.message; // a refusal plash did not foresee is never skipped quietly
  }
}
