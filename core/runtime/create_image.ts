/**
 * Making an image by running a command: it runs in a container child (see
 * `spawn_container.ts`) whose changes are kept, and they are published as a
 * new image on the old one. Where the host refuses mounts it runs in a copy
 * of the image instead (`mountless.ts`).
 * `plash create` and every layer of `plash build` come through here.
 *
 * Without root the child is root of a user namespace of its own, and the
 * rest is done as the caller: one Deno start. What the caller may not remove
 * (files of its subordinate ids) a second child removes as root of a
 * namespace (`remove_staged.ts`, `prune_mount_points.ts`).
 *
 * @module
 */

import { filesystemFull } from "../../ffi/filesystem_status.ts";
import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { needPrivilege } from "../privilege.ts";
import type { ImageConfig } from "../store/image_config.ts";
import { nodeDataDir, nodeLayerDir } from "../store/layout.ts";
import type { Store } from "../store/store.ts";
import { buildHostEnvironment } from "./environment.ts";
import { mountlessReason } from "./host_support.ts";
import { openWorkDir } from "./image_root.ts";
import type { RunSpec } from "./container_spec.ts";
import type { CopyReuse } from "./mountless.ts";
import { planContainer } from "./plan.ts";
import type { RunOptions } from "./run_options.ts";
import { pruneMountPoints } from "./prune_mount_points.ts";
import { removeStaged } from "./remove_staged.ts";
import { runPlanInChild } from "./spawn_container.ts";
import "../tree/flatten.ts"; // publishes images: lets the store make checkpoints

/**
 * How a build step's script runs: the shell reads it from fd 3, a copy of
 * the stdin plash writes it to, so that the script can be of any size (never
 * on argv) and the commands in it read /dev/null, not the rest of the script.
 * Their stdout joins stderr at once, keeping the two in order.
 */
const SCRIPT_SHELL = ["/bin/sh", "-c", "exec /bin/sh /dev/fd/3 3<&0 0</dev/null 1>&2"];

/**
 * The copy of an image a mount-less build reuses from one step to the next
 * (made by `mountless.ts`); removed when disposed.
 *
 * @example
 * ```ts
 * import type { StepCopies } from "./create_image.ts";
 *
 * // What a build hands from one step to the next without mounts; plash makes these itself.
 * const copies: StepCopies = { follow() {}, [Symbol.dispose]() {} };
 * ```
 */
export interface StepCopies extends Disposable {
  /** Says that image `to` holds the files of image `from` (a layer of config only). */
  follow(from: number, to: number): void;
}

/**
 * How to run the command that makes the image.
 *
 * @example
 * ```ts
 * import type { CreateOptions } from "./create_image.ts";
 *
 * // `plash create` with a config change: the new image's command
 * const options: CreateOptions = { what: "create: apt-get", config: { cmd: ["bash"] } };
 * ```
 */
export interface CreateOptions {
  /** Changes to the image config for the new image. */
  config?: ImageConfig;
  /** Whether the command is a build step (see `RunSpec.buildStep`). */
  buildStep?: boolean;
  /** A Dockerfile's RUN, with its environment (see `RunSpec.dockerfileStep`). */
  dockerfileStep?: RunSpec["dockerfileStep"];
  /** Its `-w`, `-u` and `-v` (a Dockerfile's WORKDIR, USER and RUN --mount). */
  options?: RunOptions;
  /** Written to the command's stdin, which is otherwise plash's own. */
  stdin?: Uint8Array;
  /** A shell script the image's /bin/sh runs instead of the command (a build step's). */
  script?: Uint8Array;
  /** Names the command in the error when it fails, like `create: sh`. */
  what: string;
  /** Without mounts: the copy a build reuses from one step to the next. */
  reuse?: StepCopies;
  /** The caller's directory as the command sees it (a build's context); the cwd by default. */
  context?: string;
}

/**
 * Runs `command` in image `id` and returns the new image holding its
 * changes. The command's stdout goes to plash's stderr, so plash's stdout can
 * carry the id alone. A failing command creates nothing: the error has its
 * exit status as exit code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createImage } from "./create_image.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const layer = store.makeTmpDir();
 * Deno.mkdirSync(`${layer}/bin`);
 * Deno.copyFileSync("/bin/busybox", `${layer}/bin/sh`); // a static shell
 * const base = store.addLayer(0, layer);
 * const id = await createImage(store, base, ["sh", "-c", "echo hi > /hello"], { what: "create" });
 * assert.equal(Deno.readTextFileSync(`${store.layer(id)}/hello`), "hi\n");
 * await assert.rejects(createImage(store, base, ["sh", "-c", "exit 3"], { what: "create" }));
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export async function createImage(
  store: Store,
  id: number,
  command: string[],
  options: CreateOptions,
): Promise<number> {
  if (mountlessReason() !== undefined) {
    // A copy of the image keeps other users' owners: root's work (of plash's user namespace).
    needPrivilege();
    // Loaded only here: it brings the tree copier and differ.
    const { createInCopy } = await lazyImport("mountless");
    return await store.whileThere(
      id,
      "creating an image on it",
      () => createInCopy(store, id, command, options, options.reuse as CopyReuse | undefined),
    );
  }
  // What another process's `rm` made fail is said as that.
  return await store.whileThere(id, "creating an image on it", async () => {
    const stage = store.makeTmpDir();
    // The image's node, staged: the container's writable layer, overlay's work dir and its
    // mount point are made in its data directory, where the layer stays (see below).
    const node = `${stage}/node`;
    const changes = nodeDataDir(node);
    const [upper, work] = [`${changes}/data`, `${changes}/work`];
    try {
      Deno.mkdirSync(changes, { recursive: true, mode: 0o755 });
      const plan = planContainer({
        store,
        id,
        command: options.script === undefined ? command : SCRIPT_SHELL,
        changesDir: changes,
        buildStep: options.buildStep,
        dockerfileStep: options.dockerfileStep,
        options: options.options,
      }, { cwd: options.context ?? Deno.cwd(), env: buildHostEnvironment() });
      const result = await runPlanInChild(plan, {
        stdin: options.script ?? options.stdin,
        stdoutToStderr: true,
      }).finally(() => openWorkDir(work));
      if (result.failure !== undefined) throw result.failure;
      if (result.status !== 0) throw stepFailed(options.what, id, result.status, store.root);
      await pruneMountPoints(upper, result.created);
      Deno.renameSync(work, `${stage}/work`);
      // Renamed within its directory, onto the empty mount point: a root the command chowned to
      // another user (`chown 1000 /`) may not be moved to another directory by a caller without
      // root. Only the node moves when it is published.
      Deno.renameSync(upper, nodeLayerDir(node));
      return store.addNode(id, node, options.config);
    } finally {
      await removeStaged(stage);
    }
  });
}

/**
 * The error of a command that made no image: its exit status is plash's. Its
 * writes went to the store's filesystem (`storeRoot`): a full one is likely why.
 */
export function stepFailed(
  what: string,
  id: number,
  status: number,
  storeRoot: string,
): PlashError {
  const how = status > 128 ? `signal ${status - 128}` : `exit status ${status}`;
  const full = filesystemFull(storeRoot) ? ` (no space left on the device of ${storeRoot})` : "";
  return new PlashError(`${what} failed in image ${id} with ${how}${full}`, { exitCode: status });
}
