/**
 * Device nodes as the host has them: a CDI device node completed from its
 * host node (type, major, minor and mode, as CDI's reader fills them), and
 * a host device asked for with `--device /dev/HOST[:/dev/CONTAINER][:rwm]`.
 *
 * @example
 * ```ts
 * import { hostDevice } from "./host_node.ts";
 *
 * hostDevice({ hostPath: "/dev/null", path: "/dev/nothing", permissions: "r" }, "/dev/null:/dev/nothing:r");
 * // { path: "/dev/nothing", hostPath: "/dev/null", type: "c", major: 1, minor: 3,
 * //   fileMode: 0o666, permissions: "r" }
 * ```
 *
 * @module
 */

import { splitDevice } from "../../../ffi/device_nodes.ts";
import { PlashError, reason } from "../../errors.ts";
import type { DeviceNode } from "../container_edits.ts";
import type { HostDeviceRequest } from "./request.ts";

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

/**
 * The host device `request` asks for, read from the host's node: a
 * character or block device, with permissions only when asked.
 */
export function hostDevice(request: HostDeviceRequest, text: string): DeviceNode {
  const node = statNode(request.hostPath, false);
  if (typeof node === "string") {
    throw new PlashError(`--device ${text}: ${request.hostPath}: ${node}`);
  }
  return {
    path: request.path,
    hostPath: request.hostPath,
    ...node,
    ...(request.permissions === undefined ? {} : { permissions: request.permissions }),
  };
}
