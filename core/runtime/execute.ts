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

import { openPath } from "../../ffi/in_root.ts";
import { mountOverlay } from "../../ffi/overlay.ts";
import { chdir, chroot, closeFd, enterPrivateMountNamespace, mount } from "../../ffi/sys.ts";
import { applyBind, bindImageView } from "./binds.ts";
import { execCommand } from "./exec.ts";
import { explainRefusal } from "./host_support.ts";
import { rootLoginShell } from "./login_shell.ts";
import type { ContainerPlan, SetupOp } from "./plan.ts";

/** Carries out `plan`, recording in `created` the mount points it made in the image. */
export function executePlan(plan: ContainerPlan, created: string[] = []): never {
  let rootFd: number | undefined;
  try {
    for (const op of plan.ops) {
      if (op.op === "exec") break;
      if ((op.op === "bind" || op.op === "image-view") && rootFd === undefined) {
        rootFd = openPath(plan.ops.find(isOverlay)!.overlay.target, { directory: true });
      }
      if (op.op === "chroot" && rootFd !== undefined) {
        closeFd(rootFd);
        rootFd = undefined;
      }
      runOp(op, rootFd!, created);
    }
  } finally {
    if (rootFd !== undefined) closeFd(rootFd);
  }
  const exec = plan.ops.at(-1)!;
  if (exec.op !== "exec") throw new Error("a container plan ends in exec");
  execCommand(exec.argv.length ? exec.argv : [rootLoginShell()], exec.env, exec.path, exec.where);
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
      for (const path of op.paths) Deno.mkdirSync(path, { recursive: true });
      return;
    case "overlay":
      return explainRefusal(() => mountOverlay(op.overlay));
    case "bind":
      return applyBind(rootFd, op.bind, created);
    case "image-view":
      return bindImageView(rootFd, op.target, created);
    case "chroot":
      return explainRefusal(() => chroot(op.root));
    case "chdir":
      return enterFirst(op.candidates);
    case "exec":
      return;
  }
}

/** The first of `candidates` this root has (the caller's directory, the image's, /). */
function enterFirst(candidates: string[]): void {
  for (const dir of candidates) {
    try {
      chdir(dir);
      return;
    } catch {
      // Not in this image: try the next.
    }
  }
}
