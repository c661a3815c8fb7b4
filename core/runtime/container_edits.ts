/**
 * Edits a container gets from outside its image: the devices asked for with
 * `--device` (a CDI name such as `vendor.com/gpu=all`, or a host node
 * `/dev/HOST[:/dev/CONTAINER][:rwm]`) and the image's `--device` macro.
 * Shaped as the Container Device Interface's `containerEdits` (CDI spec
 * 0.3.0 to 0.8.0), so that what a CDI spec says passes through unchanged:
 * the CDI reader (`cdi/`) makes them, the container spec takes them in.
 *
 * @module
 */

/**
 * A device node made in the container (bound from the host's node of that path).
 *
 * @example
 * ```ts
 * import type { DeviceNode } from "./container_edits.ts";
 *
 * // The host's /dev/nvidia0 as the container's /dev/nvidia0, read and write
 * const node: DeviceNode = { path: "/dev/nvidia0", permissions: "rw" };
 * ```
 */
export interface DeviceNode {
  /** Where it appears inside the container. */
  path: string;
  /** The host's node; by default `path`. */
  hostPath?: string;
  /** `c` (character), `b` (block) or `p` (fifo); by default the host node's. */
  type?: "c" | "b" | "p";
  /** By default the host node's. */
  major?: number;
  /** By default the host node's. */
  minor?: number;
  /** The node's mode bits; by default the host node's. */
  fileMode?: number;
  /** What the container may do with it: a subset of `rwm`; by default `rwm`. */
  permissions?: string;
  /** The node's owner inside the container. */
  uid?: number;
  /** The node's group inside the container. */
  gid?: number;
}

/**
 * A host path mounted into the container.
 *
 * @example
 * ```ts
 * import type { EditMount } from "./container_edits.ts";
 *
 * const mount: EditMount = {
 *   hostPath: "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
 *   containerPath: "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
 *   options: ["ro", "nosuid", "nodev", "bind"],
 * };
 * ```
 */
export interface EditMount {
  /** The host path. */
  hostPath: string;
  /** Where it appears inside the container, absolute. */
  containerPath: string;
  /** The file system type; a bind when missing or `bind`. */
  type?: string;
  /** Mount options as `mount -o` has them (`ro`, `nosuid`, `bind`, `rbind` ...). */
  options?: string[];
}

/**
 * When an OCI hook runs (CDI uses `createContainer` and `startContainer` the most).
 *
 * @example
 * ```ts
 * import type { HookName } from "./container_edits.ts";
 *
 * const when: HookName = "createContainer"; // in the container's namespaces, before its command
 * ```
 */
export type HookName =
  | "prestart"
  | "createRuntime"
  | "createContainer"
  | "startContainer"
  | "poststart"
  | "poststop";

/**
 * A program run at a point of the container's life, with the OCI state on its stdin.
 *
 * @example
 * ```ts
 * import type { Hook } from "./container_edits.ts";
 *
 * const hook: Hook = {
 *   hookName: "createContainer",
 *   path: "/usr/bin/nvidia-cdi-hook",
 *   args: ["nvidia-cdi-hook", "update-ldcache"],
 * };
 * ```
 */
export interface Hook {
  /** When it runs. */
  hookName: HookName;
  /** The program, an absolute host path. */
  path: string;
  /** Its argv, `args[0]` included (as OCI hooks have it). */
  args?: string[];
  /** Its whole environment, `NAME=VALUE`. */
  env?: string[];
  /** Seconds before it is killed and the start fails. */
  timeout?: number;
}

/**
 * Everything the devices of one run add to its container.
 *
 * @example
 * ```ts
 * import type { ContainerEdits } from "./container_edits.ts";
 *
 * // What `--device /dev/fuse` adds to a container
 * const edits: ContainerEdits = {
 *   env: [],
 *   deviceNodes: [{ path: "/dev/fuse" }],
 *   mounts: [],
 *   hooks: [],
 *   additionalGids: [],
 * };
 * ```
 */
export interface ContainerEdits {
  /** `NAME=VALUE`, laid over the image's and the caller's environment. */
  env: string[];
  /** Device nodes. */
  deviceNodes: DeviceNode[];
  /** Mounts, after plash's own binds. */
  mounts: EditMount[];
  /** Hooks, in the order they run within their point. */
  hooks: Hook[];
  /** Groups the container's process also gets. */
  additionalGids: number[];
}
