/**
 * Mounting an image's layers, in a mount namespace of this thread's own.
 *
 * @module
 */

import { mountOverlay, type OverlaySpec } from "../../ffi/overlay.ts";
import { enterPrivateMountNamespace, mount } from "../../ffi/sys.ts";
import { mountedLayers } from "../store/checkpoint.ts";
import type { Store } from "../store/store.ts";
import { explainRefusal } from "./host_support.ts";

/**
 * Mounts an image's layers as `overlay` says: the one place plash mounts an
 * overlay (containers, `create` and build steps, `mount`, `with-mount`,
 * bundles), so that how it is mounted is decided once. A refusal by the host
 * says where to look.
 */
export function mountImageLayers(overlay: OverlaySpec): void {
  explainRefusal(() => mountOverlay(overlay));
}

/**
 * Makes overlay's `work/work`, which the kernel made with mode 0 as the
 * mounter (root of plash's user namespace: the caller), removable as the caller.
 */
export function openWorkDir(work: string): void {
  try {
    Deno.chmodSync(`${work}/work`, 0o700);
  } catch {
    // None: the container ended before its overlay was mounted.
  }
}

/** Where the container's writable layer lives. */
export interface Changes {
  /** Overlay's upper directory: what the container changed. */
  upper: string;
  /** Overlay's work directory. */
  work: string;
  /** The mount point of the merged view. */
  root: string;
}

/**
 * Changes kept in `dir` (`dir/data`, `dir/work`, mounted at `dir/root`), or,
 * without `dir`, on a tmpfs that vanishes with the mount namespace, so a
 * finished `plash run` leaves nothing behind.
 */
export function prepareChanges(store: Store, dir?: string): Changes {
  const base = dir ?? store.mountRoot;
  if (dir === undefined) mount("tmpfs", base, "tmpfs", 0n, "mode=0755");
  const changes = { upper: `${base}/data`, work: `${base}/work`, root: `${base}/root` };
  for (const path of Object.values(changes)) Deno.mkdirSync(path, { recursive: true });
  return changes;
}

/**
 * Moves this thread into a private mount namespace and mounts the image whose
 * ancestry is `chain` with a writable layer; returns where its changes are and
 * where it is mounted.
 *
 * Every plash mount uses `userxattr`: overlay then keeps opaque markers in
 * `user.overlay.*`, which works in a user namespace too, so a layer made
 * rootless means the same when root mounts it, and the other way round.
 */
export function mountImagePrivately(
  store: Store,
  chain: number[],
  changesDir?: string,
  options: { nosuid?: boolean } = {},
): Changes {
  const { layers, nested } = mountedLayers(store, chain);
  return explainRefusal(() => {
    enterPrivateMountNamespace();
    const changes = prepareChanges(store, changesDir);
    mountImageLayers({
      lowers: layers,
      nested,
      image: chain[chain.length - 1],
      upper: changes.upper,
      work: changes.work,
      target: changes.root,
      userxattr: true,
      nosuid: options.nosuid,
    });
    return changes;
  });
}
