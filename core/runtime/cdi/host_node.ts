/**
 * Device nodes as the host has them: a CDI device node completed from its
 * host node (type, major, minor and mode, as CDI's reader fills them), and
 * `--device /dev/HOST[:/dev/CONTAINER][:rwm]`, podman's plain host device.
 *
 * @example
 * ```ts
 * import { hostDevice } from "./host_node.ts";
 *
 * hostDevice("/dev/null:/dev/nothing:r");
 * // { path: "/dev/nothing", hostPath: "/dev/null", type: "c", major: 1, minor: 3,
 * //   fileMode: 0o666, permissions: "r" }
 * ```
 *
 * @module
 */

import { splitDevice } from "../../../ffi/sys.ts";
import { PlashError, reason } from "../../errors.ts";
import type { DeviceNode } from "../container_edits.ts";

/** What `stat` says of a device node. */
interface HostNode {
  type: "c" | "b" | "p";
  major: number;
  minor: number;
  fileMode: number;
}

/** The node at `path` (symlinks followed), or why it is none; `fifo` lets a fifo count. */
function statNode(path: string, fifo: boolean): HostNode | string {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (error) {
    return reason(error);
  }
  const type = info.isCharDevice ? "c" : info.isBlockDevice ? "b" : fifo && info.isFifo ? "p" : "";
  if (type === "") return "not a device node";
  return { type, ...splitDevice(info.rdev ?? 0), fileMode: (info.mode ?? 0) & 0o7777 };
}

/**
 * `node` of the CDI spec `source` with what it leaves out taken from its host
 * node (`hostPath`, else `path`): type, numbers and mode. A node the spec
 * describes fully (type, and a major unless a fifo) may be missing on the
 * host, as CDI allows; one that is not must be there, of the type it says.
 */
export function completeNode(node: DeviceNode, source: string): DeviceNode {
  const hostPath = node.hostPath ?? node.path;
  const complete = node.type !== undefined && (node.major !== undefined || node.type === "p");
  // A major without a minor is minor 0 (as Go reads a missing number).
  const given = node.major === undefined ? node : { ...node, minor: node.minor ?? 0 };
  const host = statNode(hostPath, true);
  if (typeof host === "string") {
    if (complete) return { ...given, hostPath };
    throw new PlashError(`${source}: host device ${hostPath}: ${host}`);
  }
  const filled: DeviceNode = { ...given, hostPath, fileMode: node.fileMode ?? host.fileMode };
  if (complete) return filled;
  if (node.type !== undefined && node.type !== host.type) {
    throw new PlashError(
      `${source}: host device ${hostPath} is of type ${host.type}, the spec says ${node.type}`,
    );
  }
  filled.type = host.type;
  if (host.type !== "p" && node.major === undefined) {
    filled.major = host.major;
    filled.minor = host.minor;
  }
  return filled;
}

function containerPath(path: string, request: string): string {
  if (!path.startsWith("/") || path.split("/").includes("..")) {
    throw new PlashError(
      `--device ${request}: the container path must be absolute, without '..': ${path}`,
    );
  }
  return path;
}

/**
 * `--device /dev/HOST[:/dev/CONTAINER][:PERMISSIONS]` read from the host's
 * node: a character or block device, at the same path unless one is given,
 * with permissions (letters of `rwm`) only when given.
 */
export function hostDevice(request: string): DeviceNode {
  const parts = request.split(":");
  let [host, target, permissions] = parts;
  if (parts.length === 2 && !target.startsWith("/")) [target, permissions] = [undefined!, target];
  if (parts.length > 3 || (permissions !== undefined && !/^[rwm]+$/.test(permissions))) {
    throw new PlashError(
      `--device ${request}: not /dev/HOST[:/dev/CONTAINER][:PERMISSIONS], PERMISSIONS letters of rwm`,
    );
  }
  if (!host.startsWith("/")) {
    throw new PlashError(`--device ${request}: the host path must be absolute: ${host}`);
  }
  const node = statNode(host, false);
  if (typeof node === "string") throw new PlashError(`--device ${request}: ${host}: ${node}`);
  return {
    path: containerPath(target ?? host, request),
    hostPath: host,
    ...node,
    ...(permissions === undefined ? {} : { permissions }),
  };
}
