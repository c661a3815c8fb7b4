/**
 * `plash create ID CMD...`: runs CMD in a child plash whose changes are kept,
 * then publishes them as a new image on ID.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { selfCommand } from "../self_command.ts";
import { openStore } from "../store/data_dir.ts";
import { parseImageId } from "../store/ids.ts";
import { addLayer } from "../store/publish.ts";
import { makeTmpDir, removeTree } from "../store/tmp.ts";
import { expectArgs, printLine } from "./args.ts";
import { pruneMountPoints } from "../runtime/prune_mount_points.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<number> {
  expectArgs("create", args, 2, Infinity);
  const data = openStore();
  const id = parseImageId(args[0]);
  const changes = makeTmpDir(data);
  try {
    const status = await runInChild(["run", "--changes", changes, String(id), ...args.slice(1)]);
    if (!status.success) {
      const how = status.signal ? `signal ${status.signal}` : `exit status ${status.code}`;
      throw new PlashError(`create: ${args[1]} failed in image ${id} with ${how}`, status.code);
    }
    pruneMountPoints(changes);
    printLine(addLayer(data, id, `${changes}/data`));
    return 0;
  } finally {
    removeTree(changes);
  }
}

/** Runs plash with `args`; its stdout goes to our stderr, so stdout carries only the id. */
async function runInChild(args: string[]): Promise<Deno.CommandStatus> {
  const [program, ...rest] = selfCommand(args);
  const child = new Deno.Command(program, {
    args: rest,
    stdin: "inherit",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  await child.stdout.pipeTo(Deno.stderr.writable, { preventClose: true });
  return await child.status;
}
