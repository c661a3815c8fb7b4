/**
 * A read-only bind (`-v SRC:DST:ro`, `--mount ...,readonly`, a build
 * step's /home, a device's `ro` mount): bound as any bind (`binds.ts`),
 * then made read-only with every mount below it (a bind keeps its source's
 * flags until changed, and a recursive bind brings the source's submounts
 * writable). One of the optional operations (`optional_steps.ts`): a plain
 * run has no read-only bind.
 *
 * @module
 */

import { openInRoot } from "../../ffi/in_root.ts";
import { makeReadOnlyRecursive } from "../../ffi/read_only_mount.ts";
import { closeFd } from "../../ffi/sys.ts";
import { applyBind, type BindSpec } from "./binds.ts";

/** Binds `bind` into the image root `rootFd` as {@linkcode applyBind} does, read-only. */
export function applyReadOnlyBind(rootFd: number, bind: BindSpec, created: string[]): void {
  const path = applyBind(rootFd, bind, created);
  if (path === undefined) return; // skipped: nothing to make read-only
  // Found again by path: the descriptor of the mount point is the mount below the new bind.
  const symlinks = bind.owner === "image" ? "follow" : "refuse";
  const mounted = openInRoot(rootFd, path, { symlinks, directory: bind.directory });
  try {
    makeReadOnlyRecursive(mounted, path);
  } finally {
    closeFd(mounted);
  }
}
