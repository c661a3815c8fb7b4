/**
 * Overlay by Debian's `fuse-overlayfs`, as podman does, where the kernel's
 * overlay refuses a user namespace (Linux before 5.11).
 *
 * @module
 */

import { openPath } from "./in_root.ts";
import { sym } from "./libc.ts";
import type { OverlaySpec } from "./overlay.ts";
import { exitStatusNow, sendSignal, spawnProgram } from "./processes.ts";
import { closeFd, isExecutable } from "./sys.ts";

const FUSE_SUPER_MAGIC = 0x65735546n;
const SIGKILL = 9;
/** How long fuse-overlayfs may take to mount, in milliseconds. */
const PATIENCE = 10_000;

/**
 * Mounts `spec` by fuse-overlayfs, which serves it from a process of its own
 * in this mount namespace. That process is started by `setpriv --pdeathsig`
 * so that it ends with the process that mounted (which becomes the
 * container's command): otherwise it and its mount would keep each other
 * alive. Fails in one line when fuse-overlayfs is not installed.
 */
export function mountFuseOverlay(spec: OverlaySpec): void {
  const fuse = fuseOverlayPath();
  const setpriv = onPath("setpriv");
  if (fuse === undefined || setpriv === undefined) {
    throw new Error(
      `overlay at ${spec.target}: this kernel mounts no overlay in a user namespace (Linux ` +
        `before 5.11) and ${fuse ? "setpriv" : "fuse-overlayfs"} is not installed: ` +
        `apt-get install ${fuse ? "util-linux" : "fuse-overlayfs"}, or run as root`,
    );
  }
  const options = [`lowerdir=${spec.lowers.join(":")}`];
  if (spec.upper !== undefined) options.push(`upperdir=${spec.upper}`, `workdir=${spec.work}`);
  const argv = [setpriv, "--pdeathsig", "TERM", fuse, "-f", "-o", options.join(","), spec.target];
  // Its stderr on /dev/null: fuse-overlayfs 1.10 says "unknown argument ignored" on every
  // start, and the serving process must not write into a pipe nobody reads once the container
  // runs.
  const pid = spawnProgram(argv, [], { quietStderr: true });
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; !isFuseMount(spec.target); waited++) {
    const status = exitStatusNow(pid);
    if (status !== undefined || waited > PATIENCE) {
      if (status === undefined) sendSignal(pid, SIGKILL);
      throw new Error(
        `fuse-overlayfs at ${spec.target}: ` +
          (status === undefined
            ? `no mount after ${PATIENCE / 1000} s`
            : `exit status ${status} (it needs to read and write /dev/fuse)`),
      );
    }
    Atomics.wait(sleeper, 0, 0, 1);
  }
}

function isFuseMount(path: string): boolean {
  const fd = openPath(path, { directory: true });
  try {
    // struct statfs starts with f_type, a long on x86_64 and aarch64.
    const buffer = new BigInt64Array(16);
    return sym.fstatfs(fd, new Uint8Array(buffer.buffer)) === 0 &&
      BigInt.asUintN(64, buffer[0]) === FUSE_SUPER_MAGIC;
  } finally {
    closeFd(fd);
  }
}

/** Where fuse-overlayfs is installed (on PATH), if it is. */
export function fuseOverlayPath(): string | undefined {
  return onPath("fuse-overlayfs");
}

/** The first executable `name` on PATH (the usual one without it). */
function onPath(name: string): string | undefined {
  const path = Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
  return path.split(":").map((dir) => `${dir}/${name}`).find(isExecutable);
}
