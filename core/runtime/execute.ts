/**
 * Carrying out a container plan (`plan.ts`): one loop, one case a named
 * operation, every failure one line naming the operation's path and the
 * system call. It ends in the command's exec, so it returns only by
 * throwing.
 *
 * It runs in plash's own process as root, and in a child made by clone(2)
 * (`spawn_container.ts`) that shares plash's memory: the mount points it
 * makes in the image's writable layer are pushed to `created`, where the
 * process that waits for the child finds them.
 *
 * @module
 */

import { SyscallError } from "../../ffi/errors.ts";
import { openPath } from "../../ffi/in_root.ts";
import { errnoText } from "../../ffi/libc.ts";
import { enterEmptyNetworkNamespace } from "../../ffi/network_namespace.ts";
import {
  chdirOrErrno,
  chroot,
  closeFd,
  enterPrivateMountNamespace,
  makeDirs,
  mount,
} from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";
import { becomeUser, readIdMaps } from "./become_user.ts";
import { applyBind, bindImageView, makeDirInImage, mountSysfs } from "./binds.ts";
import type { DeviceNode } from "./container_edits.ts";
import type { HostDeviceNode } from "./device_node.ts";
import { addGroups, hostNodes, placeDevice, runHookStep } from "./edit_steps.ts";
import { makeOwnDev } from "./own_dev.ts";
import { execCommand } from "./exec.ts";
import { explainRefusal } from "./host_support.ts";
import { mountImageLayers } from "./image_root.ts";
import { rootLoginShell } from "./login_shell.ts";
import type { ContainerPlan, SetupOp } from "./plan.ts";

/** The host's device nodes of each plan that has devices, found by `prepareExecution`. */
const devices = new WeakMap<ContainerPlan, Map<DeviceNode, HostDeviceNode>>();

/**
 * Finds what carrying out `plan` needs from plash's own process (the host's
 * device nodes); call it before {@linkcode executePlan}, which runs
 * synchronously to the exec, maybe in a clone child.
 *
 * Everything the executor runs is imported with it, none of it on demand:
 * a dynamic import right before the clone child of a rootless run made Deno
 * abort now and then ("Invoke in DisallowJavascriptExecutionScope"): with
 * the user switch loaded on demand, 5 of 9 rootless runs of
 * tests/commands/run_options_test.ts had a `-u` run abort; loaded with the executor,
 * none of 6.
 */
export function prepareExecution(plan: ContainerPlan): Promise<ContainerPlan> {
  // Read here, in plash's process: the child that carries a plan out does as little as it can.
  if (plan.ops.some((op) => op.op === "device" || op.op === "mknod")) {
    devices.set(plan, hostNodes(plan));
  }
  return Promise.resolve(plan);
}

/**
 * Carries out `plan` (made ready by {@linkcode prepareExecution}), recording
 * in `created` the mount points it made in the image.
 */
export function executePlan(plan: ContainerPlan, created: string[] = []): never {
  let rootFd: number | undefined;
  const switching = plan.ops.some((op) => op.op === "user");
  // Read while /proc and /dev are the host's: the image may have neither once in it.
  const idMaps = switching ? readIdMaps() : undefined;
  const nodes = devices.get(plan);
  let home: string | undefined;
  let groups: Extract<SetupOp, { op: "groups" }> | undefined;
  try {
    for (const op of plan.ops) {
      if (op.op === "exec") break;
      if (needsRoot(op) && rootFd === undefined) {
        rootFd = openPath(plan.ops.find(isOverlay)!.overlay.target, { directory: true });
      }
      if (op.op === "chroot" && rootFd !== undefined) {
        closeFd(rootFd);
        rootFd = undefined;
      }
      if (op.op === "user") home = becomeUser(op, idMaps!, groups?.gids);
      else if (op.op === "groups") groups = op;
      else if (op.op === "device" || op.op === "mknod") {
        placeDevice(op.op, nodes!.get(op.node)!, rootFd!, created);
      } else if (op.op === "hook") runHookStep(op);
      else runOp(op, rootFd!, created);
    }
  } finally {
    if (rootFd !== undefined) closeFd(rootFd);
  }
  const exec = plan.ops.at(-1)!;
  if (exec.op !== "exec") throw new Error("a container plan ends in exec");
  if (groups && !switching) addGroups(groups);
  const env = home === undefined
    ? exec.env
    : [...exec.env.filter((entry) => !entry.startsWith("HOME=")), `HOME=${home}`];
  execCommand(exec.argv.length ? exec.argv : [rootLoginShell()], env, exec.path, exec.where);
}

/** The operations that act inside the image root, before the chroot. */
function needsRoot(op: SetupOp): boolean {
  return op.op === "bind" || op.op === "own-dev" || op.op === "device" ||
    op.op === "image-view" || op.op === "make-dir" || op.op === "sysfs";
}

function isOverlay(op: SetupOp): op is Extract<SetupOp, { op: "overlay" }> {
  return op.op === "overlay";
}

function runOp(op: SetupOp, rootFd: number, created: string[]): void {
  switch (op.op) {
    case "unshare-mounts":
      return explainRefusal(enterPrivateMountNamespace);
    case "unshare-network":
      return explainRefusal(enterEmptyNetworkNamespace);
    case "tmpfs":
      return explainRefusal(() => mount("tmpfs", op.target, "tmpfs", 0n, "mode=0755"));
    case "mkdirs":
      for (const path of op.paths) makeDirs(path);
      return;
    case "overlay":
      return mountImageLayers(op.overlay);
    case "own-dev":
      return makeOwnDev(rootFd, created, op.devices);
    case "bind":
      return applyBind(rootFd, op.bind, created);
    case "image-view":
      return bindImageView(rootFd, op.target, created);
    case "sysfs":
      return mountSysfs(rootFd, op.target, created);
    case "make-dir":
      return makeDirInImage(rootFd, op.target, created);
    case "chroot":
      return explainRefusal(() => chroot(op.root));
    case "chdir":
      return enterFirst(op.candidates, op.required ?? false);
    case "hook":
    case "device":
    case "mknod":
    case "groups":
    case "user":
    case "exec":
      return;
  }
}

/** The first of `candidates` this root has (the caller's directory, the image's, /). */
function enterFirst(candidates: string[], required: boolean): void {
  for (const dir of candidates) {
    // Usually the caller's directory is not in the image: that is tried without an error made.
    const code = chdirOrErrno(dir);
    if (code === 0) return;
    if (!required) continue; // not in this image: the next
    throw new PlashError(`working directory ${dir}: ${errnoText(code)}`, {
      cause: new SyscallError("chdir", dir, code),
    });
  }
}
