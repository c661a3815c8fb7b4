/**
 * The mount-less mode: running and building where the host refuses mounts
 * (root without CAP_SYS_ADMIN, as in docker's and podman's default
 * containers; `PLASH_NO_UNSHARE=1` forces it). Like podman's vfs storage,
 * each run gets a private copy of its image in the store's tmp/, made for it
 * and removed after it, and the command runs chrooted there in a child that
 * plash waits for; the image's layers are never written.
 *
 * `create` and build steps find what the command changed against a record of
 * the copy taken before it (`tree_changes.ts`) and publish exactly that as
 * the new layer. A build of several layers copies the tree once and records
 * it after each step, as kaniko does.
 *
 * Nothing of the host is shared: no /proc, /sys, /home, /tmp or -v, and /dev
 * holds only the usual nodes (made in the copy unless the image has them,
 * where root may: podman's default capabilities lack CAP_MKNOD).
 *
 * @module
 */

import { SyscallError } from "../../ffi/errors.ts";
import { openPath } from "../../ffi/in_root.ts";
import { mknod, S_IFCHR } from "../../ffi/device_nodes.ts";
import { closeFd } from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import { removeTree } from "../store/tmp.ts";
import { copyTree } from "../tree/copy_tree.ts";
import { hasEntry } from "../tree/merged_tree.ts";
import { revertTree } from "../tree/revert_tree.ts";
import {
  type Ignored,
  recordTree,
  sameBytes,
  type TreeRecord,
  withoutIgnored,
  writeTreeChanges,
} from "../tree/tree_changes.ts";
import { type CreateOptions, stepFailed } from "./create_image.ts";
import { makeDirInImage } from "./binds.ts";
import { buildHostEnvironment } from "./environment.ts";
import { mountlessReason } from "./host_support.ts";
import { containerSpec, type RunSpec } from "./container_spec.ts";
import { containerOps } from "./plan.ts";
import { claimWarmCopy, COPY_ROOT, poolWarmCopy, processesInside } from "./warm_copies.ts";
import { type ChildStreams, runPlanInChild } from "./spawn_container.ts";
import "../tree/flatten.ts"; // publishes images: lets the store make checkpoints

/** The device nodes a copy gets when its image has none by that name: [name, major, minor]. */
const DEVICES: [string, number, number][] = [
  ["null", 1, 3],
  ["zero", 1, 5],
  ["full", 1, 7],
  ["random", 1, 8],
  ["urandom", 1, 9],
  ["tty", 5, 0],
];

/** Where a build step's script is written in the copy; no part of any layer. */
const STEP_SCRIPT = ".plash-step";

/**
 * What no layer takes from a copy: the step's script, and /dev, which a run
 * with mounts binds from the host, so that nothing written there stays.
 */
const IGNORED = new Set([STEP_SCRIPT, "dev"]);

/**
 * A private copy of an image, in the store's tmp/: a warm copy taken from
 * the pool when there is one (`warm_copies.ts`), else a new one. Disposed,
 * it is reverted to the image it was made of and pooled, or removed where
 * that cannot be done.
 */
export class ImageCopy implements Disposable {
  /** The copy's root directory. */
  readonly root: string;
  /** The image the copy holds (as of the last step published from it). */
  id: number;
  /** The copy as it was after the last step (or before the first), to find a step's changes. */
  record?: TreeRecord;
  readonly #dir: string;
  /** The image the copy was made of, which the revert restores. */
  readonly #origin: number;
  /** The whole copy (/dev too) as it was made, before any command ran in it. */
  readonly #pristine: TreeRecord;

  /** Copies image `id` of `store` (or takes a warm copy of it), with the usual device nodes. */
  constructor(readonly store: Store, id: number) {
    this.id = this.#origin = id;
    const warm = claimWarmCopy(store, id);
    this.#dir = warm?.dir ?? store.makeTmpDir();
    this.root = `${this.#dir}/${COPY_ROOT}`;
    if (warm !== undefined) {
      this.#pristine = warm.record;
      return;
    }
    try {
      copyTree(store.layersOf(store.chain(id)), this.root);
      addDevices(this.root);
      this.#pristine = recordTree(this.root);
    } catch (error) {
      removeTree(this.#dir);
      throw error;
    }
  }

  /** The copy before any command ran in it, but for the names of `ignored` (as `recordTree`). */
  pristine(ignored: Ignored): TreeRecord {
    return withoutIgnored(this.#pristine, ignored);
  }

  /** Runs `spec`'s command chrooted in the copy and returns its exit status. */
  async run(spec: RunSpec, host: Record<string, string>, streams?: ChildStreams): Promise<number> {
    // The container spec's third back end: no mounts, the copy as its root.
    const plan = containerOps(containerSpec(spec, { cwd: Deno.cwd(), env: host }), {
      root: this.root,
    });
    const workdir = spec.options?.workdir;
    if (workdir !== undefined) {
      // -w makes a missing directory, as with mounts: inside the copy, through no link out of it.
      const rootFd = openPath(this.root, { directory: true });
      try {
        makeDirInImage(rootFd, workdir, []);
      } finally {
        closeFd(rootFd);
      }
    }
    const giveBack = lendResolvConf(this.root);
    try {
      const { status, failure } = await runPlanInChild(plan, streams);
      if (failure !== undefined) throw failure;
      return status;
    } finally {
      giveBack();
    }
  }

  /** Reverts the copy and pools it for the next run of its image; removes it where it cannot. */
  [Symbol.dispose](): void {
    try {
      // A process left in the copy could swap a directory for a link out of it mid-revert.
      if (processesInside(this.root)) return removeTree(this.#dir);
      const layers = this.store.layersOf(this.store.chain(this.#origin));
      const record = revertTree(this.#pristine, this.root, layers);
      if (record !== undefined) return poolWarmCopy(this.store, this.#origin, this.#dir, record);
    } catch {
      // The image went away, or the revert failed: the copy is no use.
    }
    removeTree(this.#dir);
  }
}

/** Makes `root`/dev's usual nodes where the image has none by their names. */
function addDevices(root: string): void {
  const dev = `${root}/dev`;
  try {
    // An image's /dev that is a symlink could lead out of the copy: it is left alone.
    if (!Deno.lstatSync(dev).isDirectory) return;
  } catch {
    Deno.mkdirSync(dev, { mode: 0o755 });
  }
  for (const [name, major, minor] of DEVICES) {
    const path = `${dev}/${name}`;
    if (hasEntry(path)) continue;
    try {
      mknod(path, S_IFCHR | 0o666, major, minor);
    } catch (error) {
      // No CAP_MKNOD: the copy does without (`plash doctor` says so).
      if (error instanceof SyscallError && error.code === "EPERM") return;
      throw error;
    }
    Deno.chmodSync(path, 0o666);
  }
}

/**
 * Writes the host's resolv.conf into the copy where its image has none, as
 * the bind of a run with mounts gives it; returns what removes it again
 * (unless the command made it its own), leaving /etc as a run with mounts
 * leaves it: its mount point made and removed.
 */
function lendResolvConf(root: string): () => void {
  const path = `${root}/etc/resolv.conf`;
  let host: Uint8Array;
  try {
    // /etc a symlink could lead out of the copy; an image's own resolv.conf stays.
    if (!Deno.lstatSync(`${root}/etc`).isDirectory || hasEntry(path)) return () => {};
    host = Deno.readFileSync("/etc/resolv.conf");
  } catch {
    return () => {};
  }
  Deno.writeFileSync(path, host, { mode: 0o644, createNew: true });
  return () => {
    try {
      const info = Deno.lstatSync(path);
      if (info.isFile && sameBytes(Deno.readFileSync(path), host)) Deno.removeSync(path);
    } catch {
      // Gone: the command removed it.
    }
  };
}

/**
 * Copies of images that a build reuses from one step to the next: a step on
 * the image the copy holds runs in it; another image gets a fresh copy.
 */
export class CopyReuse implements Disposable {
  #copy?: ImageCopy;

  /** The copy of image `id`, made when the held one is of another image. */
  copyOf(store: Store, id: number): ImageCopy {
    if (this.#copy?.id === id && this.#copy.store === store) return this.#copy;
    this.drop();
    return this.#copy = new ImageCopy(store, id);
  }

  /** Says that image `to` holds the files of image `from` (a layer of config only). */
  follow(from: number, to: number): void {
    if (this.#copy?.id === from) this.#copy.id = to;
  }

  /** Removes the held copy (after a failed step it is no image's). */
  drop(): void {
    this.#copy?.[Symbol.dispose]();
    this.#copy = undefined;
  }

  [Symbol.dispose](): void {
    this.drop();
  }
}

/** Throws when image `id` binds host paths (`--mount`): no run of it works without mounts. */
function refuseBinds(store: Store, id: number): void {
  const bind = store.config(id).mounts?.[0];
  if (bind !== undefined) {
    throw new PlashError(
      `image ${id} binds ${bind.source} (--mount): a bind is a mount: ${mountlessReason()}`,
    );
  }
}

/** Says once per store, on stderr, that plash runs without mounts here and why. */
function noticeOnce(store: Store): void {
  const marker = store.mountlessMarker;
  try {
    Deno.writeTextFileSync(marker, `${mountlessReason()}\n`, { createNew: true });
  } catch {
    // Said already (or the store is read-only: a run still works).
    return;
  }
  console.error(
    `plash: no mounts here (${mountlessReason()}): images run and build in private copies ` +
      "(`plash doctor` tells what this mode cannot do)",
  );
}

/**
 * `plash run` without mounts: the command runs chrooted in a private copy
 * of the image, removed after it; with `--changes DIR`, what it changed is
 * kept in DIR/data as overlay's upper layer would hold it.
 */
export async function runMountless(spec: RunSpec): Promise<number> {
  refuseBinds(spec.store, spec.id);
  noticeOnce(spec.store);
  const kept = spec.changesDir === undefined ? undefined : `${spec.changesDir}/data`;
  if (kept !== undefined) requireEmpty(kept);
  using copy = new ImageCopy(spec.store, spec.id);
  const before = kept === undefined ? undefined : copy.pristine(IGNORED);
  const status = await copy.run(spec, Deno.env.toObject());
  if (kept !== undefined) writeTreeChanges(before!, copy.root, kept, IGNORED);
  return status;
}

/** Throws unless `dir` is missing or an empty directory. */
function requireEmpty(dir: string): void {
  try {
    for (const _ of Deno.readDirSync(dir)) {
      throw new PlashError(`run --changes: ${dir} is not empty: a mount-less run starts afresh`);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/**
 * `createImage` without mounts: `command` (or `options.script`, run by the
 * image's /bin/sh) runs in a copy of image `id` (`reuse`'s when given), and
 * what it changed becomes the new image, which is returned.
 */
export async function createInCopy(
  store: Store,
  id: number,
  command: string[],
  options: CreateOptions,
  reuse?: CopyReuse,
): Promise<number> {
  refuseBinds(store, id);
  noticeOnce(store);
  const copies = reuse ?? new CopyReuse();
  const copy = copies.copyOf(store, id);
  try {
    copy.record ??= copy.pristine(IGNORED);
    let stdin = options.stdin;
    if (options.script !== undefined) {
      // /dev/fd needs /proc: the script is a file, and its commands read an empty stdin.
      Deno.writeFileSync(`${copy.root}/${STEP_SCRIPT}`, options.script, { mode: 0o600 });
      command = ["/bin/sh", `/${STEP_SCRIPT}`];
      stdin = new Uint8Array();
    }
    if (options.options?.volumes?.length) {
      throw new PlashError(`${options.what}: a RUN --mount is a mount: ${mountlessReason()}`);
    }
    const spec = {
      store,
      id,
      command,
      buildStep: options.buildStep,
      dockerfileStep: options.dockerfileStep,
      options: options.options,
    };
    const status = await copy.run(spec, buildHostEnvironment(), { stdin, stdoutToStderr: true });
    if (status !== 0) throw stepFailed(options.what, id, status, store.root);
    const changes = store.makeTmpDir();
    try {
      copy.record = writeTreeChanges(copy.record, copy.root, `${changes}/data`, IGNORED);
      copy.id = store.addLayer(id, `${changes}/data`, options.config);
    } finally {
      removeTree(changes);
    }
    return copy.id;
  } catch (error) {
    // The copy is half-changed: no image's.
    copies.drop();
    throw error;
  } finally {
    if (reuse === undefined) copies.drop();
  }
}
