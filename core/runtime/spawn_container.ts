/**
 * Running a container in a child, so that plash goes on once it ends:
 * `create` and every build layer, and, without root, `run`. The child is
 * made by clone(2) sharing plash's memory (no second Deno start) and carries
 * out the container's plan itself: joined to a new user namespace first when
 * plash is not root. The mount points it made come back in memory.
 *
 * @module
 */

import { spawnSharingMemory } from "../../ffi/spawn_in_namespaces.ts";
import { dup2, makePipe, writeAllNonblocking } from "../../ffi/processes.ts";
import { closeFd } from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";
import { executePlan, prepareExecution } from "./execute.ts";
import type { ContainerPlan } from "./plan.ts";
import { SignalRelay, spawnAsNamespaceRoot } from "./user_namespace.ts";

/** What the child's standard streams are. */
export interface ChildStreams {
  /** Written to the command's stdin, which is otherwise plash's own. */
  stdin?: Uint8Array;
  /** The command's stdout goes to plash's stderr (so plash's stdout can carry an id alone). */
  stdoutToStderr?: boolean;
}

/** How the child ended, and the mount points it made in the image's writable layer. */
export interface ChildResult {
  /** Its exit status, 128 + N for signal N. */
  status: number;
  /** The mount points made in the image (absolute paths in it), parents first. */
  created: string[];
  /**
   * Why the child ended before its command ran (a command not in the image,
   * a mount refused): the caller says it, in one line with its own context.
   */
  failure?: unknown;
}

/**
 * Carries out `plan` in a child and waits for it; as root of this host or of
 * plash's user namespace the child needs nothing more, else it enters a new
 * user namespace with the caller's id maps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runPlanInChild } from "./spawn_container.ts";
 * import { planContainer } from "./plan.ts";
 * import { Store } from "../store/store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const layer = store.makeTmpDir();
 * Deno.mkdirSync(`${layer}/bin`);
 * Deno.copyFileSync("/bin/busybox", `${layer}/bin/true`); // a static busybox is `true`
 * const id = store.addLayer(0, layer);
 * const plan = planContainer({ store, id, command: ["true"] });
 * const { status } = await runPlanInChild(plan);
 * assert.equal(status, 0);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function runPlanInChild(
  plan: ContainerPlan,
  streams: ChildStreams = {},
): Promise<ChildResult> {
  const created: string[] = [];
  let failure: unknown;
  await prepareExecution(plan);
  // Listening before the child exists: its command may get a signal as soon as it runs.
  using relay = new SignalRelay();
  const pipe = streams.stdin === undefined ? undefined : makePipe();
  const body = () => {
    if (pipe) dup2(pipe.read, 0);
    if (streams.stdoutToStderr) dup2(2, 1);
    executePlan(plan, created);
  };
  let pid: number;
  try {
    // Kept, not printed: the child shares plash's memory until its exec.
    const onError = (error: unknown) => {
      failure = error;
      return error instanceof PlashError ? error.exitCode : 1;
    };
    pid = Deno.uid() === 0
      ? spawnSharingMemory(body, { onError })
      : await spawnAsNamespaceRoot(body, onError);
  } finally {
    if (pipe) closeFd(pipe.read);
  }
  const feeding = pipe ? feed(pipe.write, streams.stdin!) : Promise.resolve();
  const status = await relay.wait(pid);
  await feeding;
  return { status, created, failure };
}

/** Writes `bytes` to the pipe `fd` and closes it; a reader that ended early is no error. */
async function feed(fd: number, bytes: Uint8Array): Promise<void> {
  try {
    await writeAllNonblocking(fd, bytes);
  } catch {
    // The command ended before reading it all: its exit status says why.
  } finally {
    closeFd(fd);
  }
}
