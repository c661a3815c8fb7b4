/**
 * A device node of a container's edits, as the host has it: what a bind
 * shows and what mknod(2) makes. Its type and numbers, when the edits give
 * them, must be the host node's (a bind cannot change them); when they do
 * not, they are the host node's.
 *
 * @module
 */

import { S_IFBLK, S_IFCHR, S_IFIFO, splitDevice } from "../../ffi/device_nodes.ts";
import { PlashError, reason } from "../errors.ts";
import type { DeviceNode } from "./container_edits.ts";

/** A device node with everything known. */
export interface HostDeviceNode {
  /** Where it appears in the container. */
  path: string;
  /** The host's node. */
  hostPath: string;
  type: "c" | "b" | "p";
  major: number;
  minor: number;
  /** Its permission bits. */
  fileMode: number;
  uid?: number;
  gid?: number;
}

const TYPE_BITS = { c: S_IFCHR, b: S_IFBLK, p: S_IFIFO };

/** `node` completed from the host's node; fails in one line when the host's is no such node. */
export function hostDeviceNode(node: DeviceNode): HostDeviceNode {
  const hostPath = node.hostPath ?? node.path;
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(hostPath);
  } catch (error) {
    throw new PlashError(`device ${node.path}: host node ${hostPath}: ${reason(error)}`, {
      cause: error,
    });
  }
  const type = info.isCharDevice ? "c" : info.isBlockDevice ? "b" : info.isFifo ? "p" : undefined;
  if (type === undefined) {
    throw new PlashError(`device ${node.path}: host node ${hostPath} is not a device node`);
  }
  const { major, minor } = splitDevice(info.rdev ?? 0);
  const wanted = `${node.type ?? type} ${node.major ?? major}:${node.minor ?? minor}`;
  if (wanted !== `${type} ${major}:${minor}`) {
    throw new PlashError(
      `device ${node.path}: host node ${hostPath} is ${type} ${major}:${minor}, not ${wanted}`,
    );
  }
  return {
    path: node.path,
    hostPath,
    type,
    major,
    minor,
    fileMode: (node.fileMode ?? info.mode ?? 0o666) & 0o7777,
    uid: node.uid,
    gid: node.gid,
  };
}

/** The mode argument of mknod(2) for `node`: its type bits and permission bits. */
export function mknodMode(node: HostDeviceNode): number {
  return TYPE_BITS[node.type] | node.fileMode;
}
