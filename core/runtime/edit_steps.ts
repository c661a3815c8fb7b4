/**
 * The operations a container's device edits add (`container_edits.ts`):
 * device nodes bound or made, supplementary groups, hooks, as the executor
 * (`execute.ts`) carries them out: loaded by its `prepareExecution` only
 * for a plan that has them, with the other optional operations
 * (`optional_steps.ts`).
 *
 * @module
 */

import { switchIds } from "../../ffi/credentials.ts";
import { inUserNamespace } from "../../ffi/namespaces.ts";
import { mknod } from "../../ffi/device_nodes.ts";
import { lchown } from "../../ffi/file_attributes.ts";
import { effectiveIds, processId } from "../../ffi/sys.ts";
import { PlashError, reason } from "../errors.ts";
import { applyBind } from "./binds.ts";
import type { DeviceNode } from "./container_edits.ts";
import { type HostDeviceNode, hostDeviceNode, mknodMode } from "./device_node.ts";
import type { ContainerPlan, SetupOp } from "./plan.ts";
import { runHook } from "./run_hook.ts";

/** The host's node of each device of `plan`: read before the chroot puts them out of reach. */
export function hostNodes(plan: ContainerPlan): Map<DeviceNode, HostDeviceNode> {
  return new Map(
    plan.ops.flatMap((op) =>
      op.op === "device" || op.op === "mknod" ? [[op.node, hostDeviceNode(op.node)]] : []
    ),
  );
}

/**
 * A device node in the container: the host's bound onto a file made in the
 * image root `rootFd` ("device"), or, without mounts, made with mknod(2) in
 * the root this thread is in ("mknod"), with its mode and owner.
 */
export function placeDevice(
  how: "device" | "mknod",
  node: HostDeviceNode,
  rootFd: number,
  created: string[],
): void {
  if (how === "device") {
    const bind = { source: node.hostPath, target: node.path, directory: false };
    applyBind(rootFd, { ...bind, owner: "caller", required: true, label: "device" }, created);
    return;
  }
  try {
    Deno.mkdirSync(node.path.slice(0, node.path.lastIndexOf("/")) || "/", { recursive: true });
    try {
      Deno.removeSync(node.path);
    } catch {
      // Nothing there yet.
    }
    mknod(node.path, mknodMode(node), node.major, node.minor);
    Deno.chmodSync(node.path, node.fileMode); // the mode asked for, not the umask's
    if (node.uid !== undefined || node.gid !== undefined) {
      lchown(node.path, node.uid ?? 0, node.gid ?? 0);
    }
  } catch (error) {
    throw new PlashError(`device ${node.path}: ${reason(error)}`, { cause: error });
  }
}

/** Runs a hook step, with the OCI state of this process (the container's). */
export function runHookStep(op: Extract<SetupOp, { op: "hook" }>): void {
  const pid = processId();
  runHook(op.hook, { id: `plash-${pid}`, status: op.status, pid, bundle: op.bundle });
}

/**
 * The supplementary groups of a container whose user stays root: set as
 * root of the host; a user namespace cannot set groups (plash denies
 * setgroups in it), so the caller's own are kept, said in one warning.
 */
export function addGroups({ gids, where }: Extract<SetupOp, { op: "groups" }>): void {
  if (inUserNamespace()) {
    console.error(
      `plash warning: ${where}: groups ${gids.join(",")} not added: a user namespace ` +
        "cannot set groups (your own groups still apply)",
    );
    return;
  }
  switchIds({ ...effectiveIds(), groups: gids });
}
