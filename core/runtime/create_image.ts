/**
 * Making an image by running a command: it runs in a container child (see
 * `spawn_container.ts`) whose changes are kept, and they are published as a
 * new image on the old one.
 * `plash create` and every layer of `plash build` come through here.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import type { ImageConfig } from "../store/image_config.ts";
import type { Store } from "../store/store.ts";
import { removeTree } from "../store/tmp.ts";
import { buildHostEnvironment } from "./environment.ts";
import { requireMounts } from "./host_support.ts";
import { planContainer } from "./plan.ts";
import type { RunOptions } from "./run_options.ts";
import { pruneMountPoints } from "./prune_mount_points.ts";
import { runPlanInChild } from "./spawn_container.ts";

/** How to run the command that makes the image. */
export interface CreateOptions {
  /** Changes to the image config for the new image. */
  config?: ImageConfig;
  /** Whether the command is a build step (see `RunSpec.buildStep`). */
  buildStep?: boolean;
  /** A Dockerfile's RUN, with its environment (see `RunSpec.dockerfileStep`). */
  dockerfileStep?: { env: string[] };
  /** Its `-w`, `-u` and `-v` (a Dockerfile's WORKDIR, USER and RUN --mount). */
  options?: RunOptions;
  /** Written to the command's stdin, which is otherwise plash's own. */
  stdin?: Uint8Array;
  /** Names the command in the error when it fails, like `create: sh`. */
  what: string;
}

/**
 * Runs `command` in image `id` and returns the new image holding its
 * changes. The command's stdout goes to plash's stderr, so plash's stdout can
 * carry the id alone. A failing command creates nothing: the error has its
 * exit status as exit code.
 */
export async function createImage(
  store: Store,
  id: number,
  command: string[],
  options: CreateOptions,
): Promise<number> {
  requireMounts(options.what);
  const changes = store.makeTmpDir();
  try {
    const plan = planContainer({
      store,
      id,
      command,
      changesDir: changes,
      buildStep: options.buildStep,
      dockerfileStep: options.dockerfileStep,
      options: options.options,
    }, { cwd: Deno.cwd(), env: buildHostEnvironment() });
    const { status, created } = await runPlanInChild(plan, {
      stdin: options.stdin,
      stdoutToStderr: true,
    });
    if (status !== 0) {
      const how = status > 128 ? `signal ${status - 128}` : `exit status ${status}`;
      throw new PlashError(`${options.what} failed in image ${id} with ${how}`, {
        exitCode: status,
      });
    }
    pruneMountPoints(`${changes}/data`, created);
    return store.addLayer(id, `${changes}/data`, options.config);
  } finally {
    removeTree(changes);
  }
}
