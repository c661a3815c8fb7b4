/**
 * `plash run` as root: this very process becomes the container. It carries
 * out the container's plan (`plan.ts`): a mount namespace of its own, the
 * image mounted, the host's shared directories bound, chroot, exec of the
 * command, keeping plash's PID, so exit status, signals and the terminal are
 * the command's own.
 *
 * @module
 */

import { executePlan, prepareExecution } from "./execute.ts";
import { planContainer, type RunSpec } from "./plan.ts";

export type { RunSpec } from "./plan.ts";

/**
 * Replaces this process with the container's command; returns only by
 * throwing. Needs root (of the host, or of plash's user namespace).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runContainer } from "./container.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * // The last thing a program does (this process becomes `ls` in image `id`):
 * //   await runContainer({ store, id, command: ["ls", "/"] });
 * // An image that is not there is said before anything runs.
 * await assert.rejects(runContainer({ store, id: 1, command: ["ls", "/"] }), /no image: 1/);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export async function runContainer(spec: RunSpec): Promise<never> {
  executePlan(await prepareExecution(planContainer(spec)));
}
