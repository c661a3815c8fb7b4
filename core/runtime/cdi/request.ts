/**
 * What one `--device` value asks for, read without touching the host: a CDI
 * name (`vendor.com/class=name`), or podman's host device
 * `/dev/HOST[:/dev/CONTAINER][:PERMISSIONS]`. Both the option parser (to fail
 * before anything runs) and the resolver read requests through this.
 *
 * @example
 * ```ts
 * import { parseDeviceRequest } from "./request.ts";
 *
 * parseDeviceRequest("nvidia.com/gpu=0"); // { kind: "nvidia.com/gpu", name: "0" }
 * parseDeviceRequest("/dev/fuse:rw"); // { hostPath: "/dev/fuse", path: "/dev/fuse", permissions: "rw" }
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import { parseQualifiedName, type QualifiedName } from "./names.ts";

/** A host device node asked for by its path. */
export interface HostDeviceRequest {
  /** The host's node, absolute. */
  hostPath: string;
  /** Where it appears in the container, absolute. */
  path: string;
  /** Letters of `rwm`, when given. */
  permissions?: string;
}

/** A CDI device or a host device. */
export type DeviceRequest = QualifiedName | HostDeviceRequest;

function hostRequest(request: string): HostDeviceRequest {
  const parts = request.split(":");
  let [hostPath, path, permissions] = parts;
  // Two parts: the second is the container path when it is a path, else permissions.
  if (parts.length === 2 && !path.startsWith("/")) [path, permissions] = [hostPath, path];
  if (parts.length > 3 || (permissions !== undefined && !/^[rwm]+$/.test(permissions))) {
    throw new PlashError(
      `--device ${request}: not /dev/HOST[:/dev/CONTAINER][:PERMISSIONS], PERMISSIONS letters of rwm`,
    );
  }
  path ??= hostPath;
  if (!path.startsWith("/") || path.split("/").includes("..")) {
    throw new PlashError(
      `--device ${request}: the container path must be absolute, without '..': ${path}`,
    );
  }
  return permissions === undefined ? { hostPath, path } : { hostPath, path, permissions };
}

/** `request` read, or one line saying why it is neither form. */
export function parseDeviceRequest(request: string): DeviceRequest {
  if (request.startsWith("/")) return hostRequest(request);
  if (request.includes("=")) return parseQualifiedName(request);
  throw new PlashError(
    `--device ${request}: neither a CDI name (vendor.com/class=name) nor an absolute host path`,
  );
}
