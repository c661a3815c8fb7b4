/**
 * Mounting an overlay filesystem from a stack of layer directories.
 *
 * The new mount API (`fsopen`/`fsconfig` with one `lowerdir+` per layer, Linux
 * >= 6.8) has no length limit on the layer list; the legacy mount(2) option
 * string is one page long, which caps the depth at about a hundred layers.
 *
 * @module
 */

import { check, SyscallError } from "./errors.ts";
import { cString, errno, sym } from "./libc.ts";
import { openPath } from "./in_root.ts";
import { chdir, closeFd, mount, MS } from "./sys.ts";

/** What to stack where. */
export interface OverlaySpec {
  /** Layer directories, the top (newest) first. */
  lowers: string[];
  /** The writable layer; without it the mount is read-only. */
  upper?: string;
  /** Overlay's scratch directory, on the same filesystem as `upper`. */
  work?: string;
  /** Where to mount. */
  target: string;
  /** Keep overlay metadata in `user.overlay.*` xattrs (needed inside a user namespace). */
  userxattr?: boolean;
  /**
   * Mount with nosuid and nodev: for a mount other users can reach, where a
   * setuid file or a device node of the image must not work.
   */
  nosuid?: boolean;
  /**
   * The same layers, when each sits in the parent directory of the one above
   * it (plash's nodes: `node/_data/root`, the parent image's node is
   * `node/..`): `lowers[0]` is `${top}/${layer}`, `lowers[1]` is
   * `${top}/../${layer}`, and so on. The kernel is then handed each layer
   * relative to a working directory that climbs the nodes, a few path steps
   * a layer: by absolute path it walks each layer's whole path, so nested
   * layers cost the depth squared (about 45,000 steps for 300 layers). The
   * mount lists the layers by their relative names, so use it only for a
   * mount nobody else reads, in a private mount namespace.
   */
  nested?: { top: string; layer: string };
}

const FSOPEN_CLOEXEC = 1;
const FSCONFIG_SET_FLAG = 0;
const FSCONFIG_SET_STRING = 1;
const FSCONFIG_CMD_CREATE = 6;
const FSMOUNT_CLOEXEC = 1;
const MOUNT_ATTR_NOSUID = 0x2;
const MOUNT_ATTR_NODEV = 0x4;
const MOVE_MOUNT_F_EMPTY_PATH = 4;
const ENOSYS = 38;
const EINVAL = 22;

/** Mounts the overlay described by `spec`. */
export function mountOverlay(spec: OverlaySpec): void {
  if (spec.lowers.length === 0) throw new Error("overlay needs at least one lower layer");
  if (sym.fsopen !== null) {
    const fd = sym.fsopen(cString("overlay"), FSOPEN_CLOEXEC);
    if (fd >= 0) {
      try {
        if (configureNewApi(fd, spec)) return;
      } finally {
        sym.close(fd);
      }
    } else if (errno() !== ENOSYS) {
      throw new SyscallError("fsopen", "overlay", errno());
    }
  }
  mountLegacy(spec);
}

/** Returns false when the kernel lacks `lowerdir+` (before 6.8), so the caller falls back. */
function configureNewApi(fd: number, spec: OverlaySpec): boolean {
  const set = (key: string, value: string | null) => {
    const result = value === null
      ? sym.fsconfig!(fd, FSCONFIG_SET_FLAG, cString(key), null, 0)
      : sym.fsconfig!(fd, FSCONFIG_SET_STRING, cString(key), cString(value), 0);
    if (result < 0) {
      const code = errno();
      if (key === "lowerdir+" && code === EINVAL && value === spec.lowers[0]) return false;
      throw new SyscallError("fsconfig", `${key}=${value ?? ""}`, code, kernelMessage(fd, code));
    }
    return true;
  };
  if (spec.nested !== undefined) {
    if (!addNestedLowers(fd, spec, spec.nested)) return false;
  } else {
    for (const lower of spec.lowers) {
      if (!set("lowerdir+", lower)) return false;
    }
  }
  if (spec.upper !== undefined) {
    set("upperdir", spec.upper);
    set("workdir", spec.work!);
  }
  if (spec.userxattr) set("userxattr", null);
  const created = sym.fsconfig!(fd, FSCONFIG_CMD_CREATE, null, null, 0);
  if (created < 0) {
    const code = errno();
    throw new SyscallError("mount overlay", spec.target, code, kernelMessage(fd, code));
  }
  const attributes = spec.nosuid ? MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV : 0;
  const mountFd = check(sym.fsmount!(fd, FSMOUNT_CLOEXEC, attributes), "fsmount", spec.target);
  try {
    check(
      sym.move_mount!(mountFd, cString(""), -100, cString(spec.target), MOVE_MOUNT_F_EMPTY_PATH),
      "move_mount",
      spec.target,
    );
  } finally {
    sym.close(mountFd);
  }
  return true;
}

/** How many layers one `chdir` climbs: the layers between are named `../` .. `../../../layer`. */
const CLIMB = 8;

/**
 * Adds the layers of `nested` from a working directory that climbs CLIMB
 * nodes at a time, then returns to the caller's; false when the kernel lacks
 * `lowerdir+`, as in {@linkcode configureNewApi}.
 */
function addNestedLowers(
  fd: number,
  spec: OverlaySpec,
  nested: { top: string; layer: string },
): boolean {
  const key = cString("lowerdir+");
  const names = Array.from({ length: CLIMB }, (_, up) => cString("../".repeat(up) + nested.layer));
  const climb = cString("../".repeat(CLIMB));
  const caller = openPath(".", { directory: true });
  try {
    chdir(nested.top);
    for (let i = 0; i < spec.lowers.length; i++) {
      if (i > 0 && i % CLIMB === 0 && sym.chdir(climb) < 0) {
        throw new SyscallError("chdir", spec.lowers[i], errno());
      }
      if (sym.fsconfig!(fd, FSCONFIG_SET_STRING, key, names[i % CLIMB], 0) < 0) {
        const code = errno();
        if (i === 0 && code === EINVAL) return false;
        const layer = `lowerdir+=${spec.lowers[i]}`;
        throw new SyscallError("fsconfig", layer, code, kernelMessage(fd, code));
      }
    }
    return true;
  } finally {
    try {
      check(sym.fchdir(caller), "fchdir", "the working directory");
    } finally {
      closeFd(caller);
    }
  }
}

/** The kernel's own explanation, which a filesystem context fd hands out on read. */
function kernelMessage(fd: number, code: number): string | undefined {
  const buffer = new Uint8Array(1024);
  const messages: string[] = [];
  for (;;) {
    const length = Number(sym.read(fd, buffer, BigInt(buffer.length)));
    if (length <= 0) break;
    // Each message is "e <text>" (error), "w <text>" or "i <text>".
    messages.push(new TextDecoder().decode(buffer.subarray(2, length)));
  }
  return messages.length ? messages.join("; ") : (code ? undefined : "failed");
}

/**
 * mount(2) with the option string. The layers are given relative to their
 * common parent (after a chdir there) so the page-sized string holds more.
 */
function mountLegacy(spec: OverlaySpec): void {
  const parent = commonParent(spec.lowers);
  const lowers = spec.lowers.map((path) => path.slice(parent === "/" ? 1 : parent.length + 1));
  const options = [`lowerdir=${lowers.join(":")}`];
  if (spec.upper !== undefined) options.push(`upperdir=${spec.upper}`, `workdir=${spec.work}`);
  if (spec.userxattr) options.push("userxattr");
  const data = options.join(",");
  if (data.length >= 4096) {
    throw new SyscallError(
      "mount overlay",
      spec.target,
      EINVAL,
      `${spec.lowers.length} layers exceed the kernel's option page; Linux >= 6.8 lifts this`,
    );
  }
  const cwd = Deno.cwd();
  chdir(parent);
  try {
    mount("overlay", spec.target, "overlay", spec.nosuid ? MS.NOSUID | MS.NODEV : 0n, data);
  } finally {
    chdir(cwd);
  }
}

function commonParent(paths: string[]): string {
  let parent = paths[0].slice(0, paths[0].lastIndexOf("/"));
  while (!paths.every((path) => path.startsWith(parent + "/"))) {
    parent = parent.slice(0, parent.lastIndexOf("/"));
  }
  return parent || "/";
}
