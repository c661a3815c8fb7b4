/**
 * A container's set-up as operations: the list of named steps that turn a
 * container spec (`container_spec.ts`) into a running command (a new mount
 * namespace, the writable layer, the overlay, each bind and device, the
 * hooks, the chroot, the working directory, the exec), made by
 * {@linkcode containerOps} and carried out by one small loop
 * (`execute.ts`): in plash's own process as root, in a child made by
 * clone(2) without root, or, without mounts (`PLASH_NO_UNSHARE=1`), from a
 * root directory prepared beforehand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planContainer } from "./plan.ts";
 * import { Store } from "../store/store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const layer = store.makeTmpDir();
 * Deno.mkdirSync(`${layer}/bin`);
 * Deno.copyFileSync("/bin/busybox", `${layer}/bin/true`); // a static busybox is `true`
 * const id = store.addLayer(0, layer);
 * const plan = planContainer({ store, id, command: ["true"] });
 * const ops = plan.ops.map((op) => op.op); // ["unshare-mounts", ..., "exec"]
 * assert.equal(ops[0], "unshare-mounts");
 * assert.equal(ops.at(-1), "exec");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import type { OverlaySpec } from "../../ffi/overlay.ts";
import type { BindSpec } from "./binds.ts";
import type { DeviceNode, Hook } from "./container_edits.ts";
import {
  type ContainerSpec,
  containerSpec,
  type HostFacts,
  type RunSpec,
  thisHost,
} from "./container_spec.ts";
import { PlashError } from "../errors.ts";

export type { HostFacts, RunSpec } from "./container_spec.ts";

/** One operation of a container's set-up, named as the executor runs it. */
export type SetupOp =
  /** A mount namespace of this thread's own, whose mounts reach nobody else. */
  | { op: "unshare-mounts" }
  /** A network namespace of this thread's own with only loopback, up (`network: "none"`). */
  | { op: "unshare-network" }
  /** A tmpfs for the writable layer, gone with the namespace. */
  | { op: "tmpfs"; target: string }
  /** Directories made on the host side (the writable layer's). */
  | { op: "mkdirs"; paths: string[] }
  /** The image's layers and the writable layer, mounted at `overlay.target`. */
  | { op: "overlay"; overlay: OverlaySpec }
  /** The container's own /dev: a tmpfs showing the host's, with room for `devices` (`own_dev.ts`). */
  | { op: "own-dev"; devices: string[] }
  /** A host path bound into the image root (the root is the overlay's target). */
  | { op: "bind"; bind: BindSpec }
  /** The host's device node bound onto a file made in the image root. */
  | { op: "device"; node: DeviceNode }
  /** The image root bound onto `target` inside itself, without the binds over it. */
  | { op: "image-view"; target: string }
  /** A sysfs of the container's network namespace mounted inside the image root. */
  | { op: "sysfs"; target: string }
  /** A directory made inside the image root when missing (`-w`), as a bind's target is. */
  | { op: "make-dir"; target: string }
  /**
   * A hook run with the OCI state on its stdin: `createContainer` in the
   * container's mount namespace before the chroot, `startContainer` in the
   * container right before the exec.
   */
  | { op: "hook"; hook: Hook; status: "creating" | "created"; bundle: string }
  /** Into the image root. */
  | { op: "chroot"; root: string }
  /** A device node made with mknod(2) inside the root (after the chroot: no mounts). */
  | { op: "mknod"; node: DeviceNode }
  /** The first of `candidates` the image has; with `required`, failing to enter it fails. */
  | { op: "chdir"; candidates: string[]; required?: boolean }
  /** Supplementary groups for the command (a user step adds them to the user's own). */
  | { op: "groups"; gids: number[]; where: string }
  /**
   * Become `user` (`USER[:GROUP]`, looked up in the image's /etc/passwd and
   * /etc/group once in its root), with HOME from passwd unless `keepHome`.
   */
  | { op: "user"; user: string; keepHome: boolean; where: string }
  /**
   * The command, found on `path` inside the image, with `env`; `argv` empty
   * means the login shell of the image's root user.
   */
  | { op: "exec"; argv: string[]; env: string[]; path: string; where: string };

/** A container's set-up, in order. */
export interface ContainerPlan {
  ops: SetupOp[];
}

/** The hook points plash's own executor runs; a runtime (`plash runc`) runs them all. */
const HOOK_POINTS = ["createContainer", "startContainer"];

/**
 * The executor's operations for `spec`. With mounts (as root in plash's
 * process, rootless in the clone child): a mount namespace, the overlay,
 * the binds, the devices bound from the host, the createContainer hooks,
 * the chroot, then the command's steps. Without mounts (`mountless`, a root
 * directory prepared beforehand): the chroot, the device nodes made with
 * mknod, then the command's steps; nothing of the host is bound.
 */
export function containerOps(spec: ContainerSpec, mountless?: { root: string }): ContainerPlan {
  const unsupported = spec.hooks.find((hook) => !HOOK_POINTS.includes(hook.hookName));
  if (unsupported) {
    throw new PlashError(
      `hook ${unsupported.path}: ${unsupported.hookName} hooks run only under an OCI runtime ` +
        "(plash runc, plash bundle)",
    );
  }
  if (mountless) {
    return {
      ops: [
        // Where the host refuses namespaces, this fails in one line: nothing else would isolate.
        ...networkOps(spec),
        { op: "chroot", root: mountless.root },
        ...spec.devices.map((node) => ({ op: "mknod" as const, node })),
        ...processOps(spec, mountless.root),
      ],
    };
  }
  const { root } = spec;
  const [upper, work, target] = ["data", "work", "root"].map((name) => `${root.changes}/${name}`);
  return {
    ops: [
      { op: "unshare-mounts" },
      ...networkOps(spec),
      ...(root.discard ? [{ op: "tmpfs" as const, target: root.changes }] : []),
      { op: "mkdirs", paths: [upper, work, target] },
      {
        op: "overlay",
        overlay: {
          lowers: root.layers,
          // A private mount: the kernel may be handed the layers by relative names.
          nested: root.nested,
          image: root.image,
          upper,
          work,
          target,
          userxattr: true,
        },
      },
      ...(spec.ownDev
        ? [{ op: "own-dev" as const, devices: spec.devices.map((node) => node.path) }]
        : []),
      ...spec.mounts.map((bind) => ({ op: "bind" as const, bind })),
      ...spec.devices.map((node) => ({ op: "device" as const, node })),
      ...(spec.sysfs ? [{ op: "sysfs" as const, target: spec.sysfs }] : []),
      ...(spec.imageView ? [{ op: "image-view" as const, target: spec.imageView }] : []),
      ...spec.makeDirs.map((target) => ({ op: "make-dir" as const, target })),
      ...hookOps(spec, "createContainer", "creating", root.changes),
      { op: "chroot", root: target },
      ...processOps(spec, root.changes),
    ],
  };
}

/**
 * The last steps of any container, once in the image's root: the working
 * directory, the groups and the user, the startContainer hooks, then the
 * command with the container's environment.
 */
function processOps(
  spec: Pick<ContainerSpec, "process" | "where" | "hooks">,
  bundle: string,
): SetupOp[] {
  const { process, where } = spec;
  return [
    process.cwdRequired
      ? { op: "chdir", candidates: process.cwd, required: true }
      : { op: "chdir", candidates: process.cwd },
    ...(process.additionalGids.length
      ? [{ op: "groups" as const, gids: process.additionalGids, where }]
      : []),
    ...(process.user === undefined
      ? []
      : [{ op: "user" as const, user: process.user, keepHome: process.keepHome, where }]),
    ...hookOps(spec, "startContainer", "created", bundle),
    { op: "exec", argv: process.args, env: process.env, path: process.path, where },
  ];
}

function networkOps(spec: Pick<ContainerSpec, "network">): SetupOp[] {
  return spec.network === "none" ? [{ op: "unshare-network" }] : [];
}

function hookOps(
  spec: Pick<ContainerSpec, "hooks">,
  point: Hook["hookName"],
  status: "creating" | "created",
  bundle: string,
): SetupOp[] {
  return spec.hooks.filter((hook) => hook.hookName === point)
    .map((hook) => ({ op: "hook" as const, hook, status, bundle }));
}

/** The set-up of `run`'s container on this host (`host`, by default this process's). */
export function planContainer(
  run: RunSpec,
  host: HostFacts = thisHost(),
): ContainerPlan {
  return containerOps(containerSpec(run, host));
}
