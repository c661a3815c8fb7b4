/**
 * Making an image by running a command: it runs in a child plash whose
 * changes are kept, and they are published as a new image on the old one.
 * `plash create` and every layer of `plash build` come through here.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { selfCommand } from "../self_command.ts";
import type { ImageConfig } from "../store/image_config.ts";
import type { Store } from "../store/store.ts";
import { removeTree } from "../store/tmp.ts";
import { requireMounts } from "./host_support.ts";
import { pruneMountPoints } from "./prune_mount_points.ts";

/** How to run the command that makes the image. */
export interface CreateOptions {
  /** Changes to the image config for the new image. */
  config?: ImageConfig;
  /** Whether the command is a build step (see `RunSpec.buildStep`). */
  buildStep?: boolean;
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
    const buildStep = options.buildStep ? ["--build-step"] : [];
    const args = ["run", "--changes", changes, ...buildStep, String(id), ...command];
    const status = await runInChild(args, options.stdin);
    if (!status.success) {
      const how = status.signal ? `signal ${status.signal}` : `exit status ${status.code}`;
      throw new PlashError(`${options.what} failed in image ${id} with ${how}`, {
        exitCode: status.code,
      });
    }
    pruneMountPoints(changes);
    return store.addLayer(id, `${changes}/data`, options.config);
  } finally {
    removeTree(changes);
  }
}

/** Runs plash with `args`; its stdout goes to our stderr. */
async function runInChild(args: string[], stdin?: Uint8Array): Promise<Deno.CommandStatus> {
  const [program, ...rest] = selfCommand(args);
  const child = new Deno.Command(program, {
    args: rest,
    stdin: stdin ? "piped" : "inherit",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const feeding = stdin ? feed(child.stdin, stdin) : Promise.resolve();
  await child.stdout.pipeTo(Deno.stderr.writable, { preventClose: true });
  await feeding;
  return await child.status;
}

async function feed(stream: WritableStream<Uint8Array>, bytes: Uint8Array): Promise<void> {
  const writer = stream.getWriter();
  try {
    await writer.write(bytes);
    await writer.close();
  } catch {
    // The command ended before reading it all: its exit status says why.
  }
}
