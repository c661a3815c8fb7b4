/**
 * Making a mount read-only together with every mount below it.
 *
 * @module
 */

import { SyscallError } from "./errors.ts";
import { fdPath, mountId, openInRoot } from "./in_root.ts";
import { cString, errno, sym } from "./libc.ts";
import { mountFlags } from "./filesystem_status.ts";
import { closeFd, mount, MS } from "./sys.ts";

const AT_EMPTY_PATH = 0x1000;
const AT_RECURSIVE = 0x8000;
const MOUNT_ATTR_RDONLY = 1n;
const ENOSYS = 38;

/**
 * Makes the mount at descriptor `fd` and every mount below it read-only (a
 * recursive bind brings its source's submounts writable): mount_setattr(2)
 * with AT_RECURSIVE (Linux >= 5.12), else, on an older kernel, a read-only
 * remount of each mount, found in /proc/self/mountinfo. `shown` names the
 * mount in errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openPath } from "./in_root.ts";
 * import { makeReadOnlyRecursive } from "./read_only_mount.ts";
 * import { bindMount, closeFd, enterPrivateMountNamespace, umount } from "./sys.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * enterPrivateMountNamespace(); // as root: the bind is this process's only
 * bindMount(dir, dir);
 * const fd = openPath(dir, { directory: true });
 * makeReadOnlyRecursive(fd, dir);
 * assert.throws(() => Deno.writeTextFileSync(`${dir}/f`, ""), /Read-only file system/);
 * closeFd(fd);
 * umount(dir);
 * Deno.removeSync(dir);
 * ```
 */
export function makeReadOnlyRecursive(fd: number, shown: string): void {
  if (setReadOnlyAttribute(fd, shown)) return;
  remountReadOnly(fdPath(fd));
  const mounts = readMountTable();
  const top = mounts.find((each) => each.id === mountId(fd));
  if (top === undefined) throw new SyscallError("mountinfo", shown, ENOENT);
  for (const below of mountsBelow(mounts, top.id)) {
    // Reached from the top mount through no symlink: only what is under it is touched.
    let sub: number;
    try {
      sub = openInRoot(fd, below.point.slice(top.point.length), { symlinks: "refuse" });
    } catch (error) {
      // Under a later mount: hidden, from the container too.
      if (error instanceof SyscallError && HIDDEN.has(error.code)) continue;
      throw error;
    }
    try {
      // Not the mount itself but one stacked on it (remounted on its own) when the ids differ.
      if (mountId(sub) === below.id) remountReadOnly(fdPath(sub));
    } finally {
      closeFd(sub);
    }
  }
}

/** What opening a hidden mount's mount point fails with. */
const HIDDEN = new Set(["ENOENT", "ENOTDIR", "ELOOP"]);
const ENOENT = 2;

/** mount_setattr(2) of MOUNT_ATTR_RDONLY on the tree at `fd`; false when the kernel lacks it. */
function setReadOnlyAttribute(fd: number, shown: string): boolean {
  if (sym.mount_setattr === null) return false;
  // struct mount_attr: attr_set, attr_clr, propagation, userns_fd.
  const attr = new BigUint64Array([MOUNT_ATTR_RDONLY, 0n, 0n, 0n]);
  const flags = AT_EMPTY_PATH | AT_RECURSIVE;
  const attrBytes = new Uint8Array(attr.buffer);
  if (sym.mount_setattr(fd, cString(""), flags, attrBytes, BigInt(attr.byteLength)) === 0) {
    return true;
  }
  const code = errno();
  if (code === ENOSYS) return false;
  throw new SyscallError("mount_setattr", shown, code);
}

/**
 * A read-only remount of the mount at `path`, keeping its other flags (in a
 * user namespace the kernel refuses to drop the ones it locked).
 */
function remountReadOnly(path: string): void {
  mount(null, path, null, mountFlags(path) | MS.BIND | MS.REMOUNT | MS.RDONLY);
}

/** One line of /proc/self/mountinfo: the mount, its parent, where it is mounted. */
interface MountEntry {
  id: string;
  parent: string;
  point: string;
}

function readMountTable(): MountEntry[] {
  return Deno.readTextFileSync("/proc/self/mountinfo").split("\n").filter(Boolean).map((line) => {
    const [id, parent, , , point] = line.split(" ");
    // Space, tab, newline and backslash in the mount point are escaped in octal.
    const unescaped = point.replace(
      /\\([0-7]{3})/g,
      (_, code) => String.fromCharCode(parseInt(code, 8)),
    );
    return { id, parent, point: unescaped };
  });
}

/** The mounts under mount `top`, at any depth, in the table's order. */
function mountsBelow(mounts: MountEntry[], top: string): MountEntry[] {
  const below = new Set([top]);
  for (let grew = true; grew;) {
    grew = false;
    for (const each of mounts) {
      if (below.has(each.id) || !below.has(each.parent)) continue;
      below.add(each.id);
      grew = true;
    }
  }
  return mounts.filter((each) => each.id !== top && below.has(each.id));
}
