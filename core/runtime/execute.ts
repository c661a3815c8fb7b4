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
import { readIdMaps } from "../../ffi/namespaces.ts";
import {
  chdirOrErrno,
  chroot,
  closeFd,
  enterPrivateMountNamespace,
  makeDirs,
  mount,
} from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { applyBind, bindImageView, makeDirInImage, mountSysfs } from "./binds.ts";
import type { DeviceNode } from "./container_edits.ts";
import type { HostDeviceNode } from "./device_node.ts";
import { execCommand } from "./exec.ts";
import { explainRefusal } from "./host_support.ts";
import { mountImageLayers } from "./image_root.ts";
import { rootLoginShell } from "./login_shell.ts";
import type { ContainerPlan, SetupOp } from "./plan.ts";

/**
 * The operations a plain run has none of, with read-only binds: the user
 * switch (`become_user.ts`) and the others (`optional_steps.ts`).
 */
const OPTIONAL_OPS: ReadonlySet<SetupOp["op"]> = new Set([
  "unshare-network",
  "own-dev",
  "device",
  "mknod",
  "hook",
  "groups",
  "user",
]);

function isOptional(op: SetupOp): boolean {
  return OPTIONAL_OPS.has(op.op) || (op.op === "bind" && op.bind.readOnly === true);
}

/** What {@linkcode prepareExecution} loaded and found for a plan with optional operations. */
interface Prepared {
  /** The user switch, for a plan with a `user` step. */
  users?: typeof import("./become_user.ts");
  /** The other optional operations, for a plan with one of them. */
  steps?: typeof import("./optional_steps.ts");
  /** The host's device node of each of the plan's devices. */
  nodes?: Map<DeviceNode, HostDeviceNode>;
}

const prepared = new WeakMap<ContainerPlan, Prepared>();

/**
 * Loads what carrying out `plan` needs beyond what every plan does (its
 * optional operations: the user switch, `become_user.ts`, apart, as a run
 * with a user has often nothing else optional; the others,
 * `optional_steps.ts`) and finds what it needs from plash's own process
 * (the host's device nodes); call it before {@linkcode executePlan}, which
 * runs synchronously to the exec, maybe in a clone child.
 *
 * The executor imports nothing on demand itself: a dynamic import inside or
 * right before the clone child of a rootless run made Deno abort now and
 * then ("Invoke in DisallowJavascriptExecutionScope"). Here, awaited before
 * anything of the plan runs, the import is over before the child is made.
 */
export async function prepareExecution(plan: ContainerPlan): Promise<ContainerPlan> {
  if (prepared.has(plan) || !plan.ops.some(isOptional)) return plan;
  const switching = plan.ops.some((op) => op.op === "user");
  const others = plan.ops.some((op) => op.op !== "user" && isOptional(op));
  const [users, steps] = await Promise.all([
    switching ? lazyImport("becomeUser") : undefined,
    others ? lazyImport("optionalSteps") : undefined,
  ]);
  // Read here, in plash's process: the child that carries a plan out does as little as it can.
  prepared.set(plan, { users, steps, nodes: steps?.hostNodes(plan) });
  return plan;
}

/**
 * Carries out `plan` (made ready by {@linkcode prepareExecution}), recording
 * in `created` the mount points it made in the image.
 */
export function executePlan(plan: ContainerPlan, created: string[] = []): never {
  let rootFd: number | undefined;
  const optional = prepared.get(plan);
  if (optional === undefined && plan.ops.some(isOptional)) {
    throw new Error("executePlan before prepareExecution");
  }
  const switching = plan.ops.some((op) => op.op === "user");
  // Read while /proc and /dev are the host's: the image may have neither once in it.
  const idMaps = switching ? readIdMaps() : undefined;
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
      if (!isOptional(op)) runOp(op, rootFd!, created);
      else if (op.op === "bind") optional!.steps!.applyReadOnlyBind(rootFd!, op.bind, created);
      else if (op.op === "user") home = optional!.users!.becomeUser(op, idMaps!, groups?.gids);
      else if (op.op === "groups") groups = op;
      else if (op.op === "device" || op.op === "mknod") {
        optional!.steps!.placeDevice(op.op, optional!.nodes!.get(op.node)!, rootFd!, created);
      } else if (op.op === "hook") optional!.steps!.runHookStep(op);
      else if (op.op === "own-dev") optional!.steps!.makeOwnDev(rootFd!, created, op.devices);
      else if (op.op === "unshare-network") {
        explainRefusal(optional!.steps!.enterEmptyNetworkNamespace);
      }
    }
  } finally {
    if (rootFd !== undefined) closeFd(rootFd);
  }
  const exec = plan.ops.at(-1)!;
  if (exec.op !== "exec") throw new Error("a container plan ends in exec");
  if (groups && !switching) optional!.steps!.addGroups(groups);
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
    case "tmpfs":
      return explainRefusal(() => mount("tmpfs", op.target, "tmpfs", 0n, "mode=0755"));
    case "mkdirs":
      for (const path of op.paths) makeDirs(path);
      return;
    case "overlay":
      return mountImageLayers(op.overlay);
    case "bind":
      applyBind(rootFd, op.bind, created);
      return;
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
    case "exec":
      return;
    default:
      // The optional operations: carried out by optional_steps.ts, never here.
      throw new Error(`${op.op}: an optional operation`);
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
