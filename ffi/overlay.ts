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
import { openPath, openPathAt } from "./in_root.ts";
import { mountFuseOverlay } from "./fuse_overlay.ts";
import { readUserNamespace } from "./namespaces.ts";
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
   * mount nobody else reads, in a private mount namespace. With `bottom`,
   * the last of `lowers` is the directory `bottom` of its node instead of
   * `layer` (an image's checkpoint, see `core/store/checkpoint.ts`).
   */
  nested?: { top: string; layer: string; bottom?: string };
  /** The image mounted, named in the error when it has too many layers to mount. */
  image?: number;
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

/**
 * Mounts the overlay described by `spec`: a short stack by one mount(2) with
 * the layers' paths in its option string (see {@linkcode overlayOptionString}),
 * anything else, or a short stack that mount(2) refused, by the new mount API
 * (whose refusal says the kernel's own reason), else by mount(2) with
 * descriptor numbers for layers.
 */
export function mountOverlay(spec: OverlaySpec): void {
  if (spec.lowers.length === 0) throw new Error("overlay needs at least one lower layer");
  const options = overlayOptionString(spec);
  if (options !== undefined) {
    const flags = spec.nosuid ? MS.NOSUID | MS.NODEV : 0n;
    const [source, target] = [cString("overlay"), cString(spec.target)];
    if (sym.mount(source, target, source, flags, cString(options)) === 0) return;
  }
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

/**
 * A stack no deeper than this goes by one mount(2) with absolute paths: the
 * kernel walks each layer's whole path, so nested layers cost it the depth
 * squared (see {@linkcode OverlaySpec.nested}), a few hundred path steps at
 * this depth, where the new mount API's ten calls cost a run 0.15-0.25 ms
 * more (bench/README.md, the sixth step).
 */
const SHORT_STACK = 16;

/**
 * The option string that mounts `spec` by one mount(2) call, or undefined
 * when it should go another way: more than {@linkcode SHORT_STACK} layers, a
 * string longer than mount(2)'s page, or a path with a character overlay's
 * option syntax splits on (`,` between options, `:` between layers) or
 * escapes with (`\`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { overlayOptionString } from "./overlay.ts";
 *
 * const spec = { lowers: ["/l2", "/l1"], upper: "/u", work: "/w", target: "/t", userxattr: true };
 * assert.equal(overlayOptionString(spec), "lowerdir=/l2:/l1,upperdir=/u,workdir=/w,userxattr");
 * assert.equal(overlayOptionString({ ...spec, lowers: ["/a:b"] }), undefined);
 * ```
 */
export function overlayOptionString(spec: OverlaySpec): string | undefined {
  if (spec.lowers.length > SHORT_STACK) return undefined;
  const upper = spec.upper === undefined ? undefined : [spec.upper, spec.work!] as const;
  const options = optionString(spec.lowers.join(":"), upper, spec.userxattr);
  const paths = spec.upper === undefined ? spec.lowers : [...spec.lowers, spec.upper, spec.work!];
  const bytes = cString(options).length; // the page holds bytes, with the NUL
  if (bytes > OPTION_PAGE || paths.some((path) => /[,:\\]/.test(path))) {
    return undefined;
  }
  return options;
}

/**
 * overlay's mount(2) options: `lowerdir` (the layers, top first, joined by
 * ":"), the upper and work directories when writable, userxattr when asked;
 * each a path, or a descriptor number to be resolved in /proc/self/fd.
 */
function optionString(
  lowerdir: string,
  upper: readonly [upperdir: string | number, workdir: string | number] | undefined,
  userxattr: boolean | undefined,
): string {
  let options = `lowerdir=${lowerdir}`;
  if (upper !== undefined) options += `,upperdir=${upper[0]},workdir=${upper[1]}`;
  if (userxattr) options += ",userxattr";
  return options;
}

/**
 * Whether overlay takes its layers one at a time (`lowerdir+`, Linux >= 6.8),
 * asked of a filesystem context that is never mounted; undefined when this
 * process may not make one (without root).
 */
export function overlayTakesLayerByLayer(): boolean | undefined {
  if (sym.fsopen === null) return false;
  const fd = sym.fsopen(cString("overlay"), FSOPEN_CLOEXEC);
  if (fd < 0) return errno() === ENOSYS ? false : undefined;
  try {
    return sym.fsconfig!(fd, FSCONFIG_SET_STRING, cString("lowerdir+"), cString("/"), 0) === 0;
  } finally {
    sym.close(fd);
  }
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
  nested: NonNullable<OverlaySpec["nested"]>,
): boolean {
  const key = cString("lowerdir+");
  const names = Array.from({ length: CLIMB }, (_, up) => cString("../".repeat(up) + nested.layer));
  const last = spec.lowers.length - 1;
  const bottom = cString("../".repeat(last % CLIMB) + (nested.bottom ?? nested.layer));
  const climb = cString("../".repeat(CLIMB));
  return inDirectory(nested.top, () => {
    for (let i = 0; i < spec.lowers.length; i++) {
      if (i > 0 && i % CLIMB === 0 && sym.chdir(climb) < 0) {
        throw new SyscallError("chdir", spec.lowers[i], errno());
      }
      const name = i === last ? bottom : names[i % CLIMB];
      if (sym.fsconfig!(fd, FSCONFIG_SET_STRING, key, name, 0) < 0) {
        const code = errno();
        if (i === 0 && code === EINVAL) return false;
        const layer = `lowerdir+=${spec.lowers[i]}`;
        throw new SyscallError("fsconfig", layer, code, kernelMessage(fd, code));
      }
    }
    return true;
  });
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

/** Overlay's own limit on lower layers (OVL_MAX_STACK), whatever the API. */
const MAX_STACK = 500;
/** mount(2) copies its option string into one page, whose last byte is the NUL. */
const OPTION_PAGE = 4096;

/**
 * mount(2) with the option string (kernels before 6.8, or without the new
 * mount API). Each directory is handed over as the number of a descriptor
 * opened on it, from a working directory of /proc/self/fd: three or four
 * characters a layer instead of a path, so one page holds more layers than
 * overlay stacks (absolute paths filled it at about a hundred), and no
 * path's `:` or `,` can split the list. The numbers mean nothing once plash
 * has exited, which is what `mount` then shows for a `plash mount`.
 */
function mountLegacy(spec: OverlaySpec): void {
  const fds: number[] = [];
  try {
    openLayers(spec, fds);
    const lowers = fds.slice(0, spec.lowers.length).join(":");
    let upper: readonly [number, number] | undefined;
    if (spec.upper !== undefined) {
      // One at a time: each is closed below even when the next cannot be opened.
      fds.push(openPath(spec.upper, { directory: true }));
      fds.push(openPath(spec.work!, { directory: true }));
      upper = [fds.at(-2)!, fds.at(-1)!];
    }
    const data = optionString(lowers, upper, spec.userxattr);
    if (data.length >= OPTION_PAGE || spec.lowers.length > MAX_STACK) {
      throw tooManyLayers(
        spec,
        data.length - lowers.length,
        (lowers.length + 1) / spec.lowers.length,
      );
    }
    try {
      // The target is absolute (every caller's is): the working directory changes for the call.
      inDirectory("/proc/self/fd", () => {
        mount("overlay", spec.target, "overlay", spec.nosuid ? MS.NOSUID | MS.NODEV : 0n, data);
      });
    } catch (error) {
      // Overlay refuses a user namespace before Linux 5.11 (EPERM): fuse-overlayfs serves it.
      if (!(error instanceof SyscallError && error.code === "EPERM" && readUserNamespace())) {
        throw error;
      }
      mountFuseOverlay(spec);
    }
  } finally {
    for (const fd of fds) closeFd(fd);
  }
}

/**
 * The error for more layers than mount(2) takes: `fixed` characters of the
 * options are not the layers', each layer takes `perLayer`.
 */
function tooManyLayers(spec: OverlaySpec, fixed: number, perLayer: number): Error {
  const fit = Math.floor((OPTION_PAGE - 1 - fixed) / perLayer);
  const what = spec.image === undefined ? `overlay at ${spec.target}` : `image ${spec.image}`;
  return new Error(
    `${what} has too many layers for this kernel's mount(2) (${spec.lowers.length}, at most ` +
      `about ${Math.min(MAX_STACK, fit)}): overlay stacks at most ${MAX_STACK}, and Linux ` +
      "before 6.8 takes them in one page of options",
  );
}

/**
 * Opens each of `spec.lowers` as an `O_PATH` directory into `fds`, in order.
 * Nested layers are reached from the node above by `..`, a step each, not by
 * their whole paths (depth squared, see {@linkcode OverlaySpec.nested}).
 */
function openLayers(spec: OverlaySpec, fds: number[]): void {
  if (spec.nested === undefined) {
    for (const lower of spec.lowers) fds.push(openPath(lower, { directory: true }));
    return;
  }
  let node = openPath(spec.nested.top, { directory: true });
  try {
    const last = spec.lowers.length - 1;
    for (let i = 0; i < spec.lowers.length; i++) {
      const name = i === last ? spec.nested.bottom ?? spec.nested.layer : spec.nested.layer;
      fds.push(openPathAt(node, name, spec.lowers[i]));
      if (i === last) break;
      const parent = openPathAt(node, "..", spec.lowers[i + 1]);
      closeFd(node);
      node = parent;
    }
  } finally {
    closeFd(node);
  }
}

/** Runs `body` with this thread's working directory at `dir`, then back where it was. */
function inDirectory<T>(dir: string, body: () => T): T {
  const caller = openPath(".", { directory: true });
  try {
    chdir(dir);
    return body();
  } finally {
    try {
      check(sym.fchdir(caller), "fchdir", "the working directory");
    } finally {
      closeFd(caller);
    }
  }
}
