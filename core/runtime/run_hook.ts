/**
 * Running an OCI hook (a device's, from its container edits) at its point
 * of the container's start, as a runtime does: its `args` and whole `env`,
 * the container's state as JSON on its stdin, its output plash's own. A
 * hook that fails or cannot start fails the start in one line.
 *
 * It runs synchronously, from the thread that sets the container up (plash's
 * own as root, the clone child rootless), so it sees that thread's mount
 * namespace and root. A hook still running after its `timeout` (seconds, as
 * the OCI runtime spec has it) is killed (SIGKILL) and fails the start.
 *
 * @module
 */

import {
  dup2,
  duplicate,
  makePipe,
  spawnProgram,
  waitForExitWithin,
  writeToPipe,
} from "../../ffi/processes.ts";
import { closeFd } from "../../ffi/sys.ts";
import { PlashError, reason } from "../errors.ts";
import type { Hook } from "./container_edits.ts";
import { OCI_VERSION } from "./runtime_config.ts";

/** The state of a container as the OCI runtime spec has it, what hooks read on stdin. */
export interface OciState {
  ociVersion: string;
  /** The container's id: `plash-PID`. */
  id: string;
  /** `creating` for createContainer hooks, `created` for startContainer hooks. */
  status: "creating" | "created";
  /** The container's process. */
  pid: number;
  /** The directory of the container's writable layer, its bundle as plash has one. */
  bundle: string;
}

/**
 * Runs `hook` with `state` on its stdin and waits for it, for at most its
 * `timeout` seconds (then it is killed); throws when it fails or times out.
 * Its argv[0] is its path (`args[0]` cannot be passed apart from it).
 */
export function runHook(hook: Hook, state: Omit<OciState, "ociVersion">): void {
  const pipe = makePipe();
  const saved = duplicate(0);
  let pid: number;
  try {
    // The state is small (a few hundred bytes): the pipe holds it all before the hook reads.
    try {
      writeToPipe(
        pipe.write,
        new TextEncoder().encode(JSON.stringify({ ociVersion: OCI_VERSION, ...state })),
      );
    } finally {
      closeFd(pipe.write);
    }
    dup2(pipe.read, 0);
    pid = spawnProgram([hook.path, ...(hook.args ?? [hook.path]).slice(1)], hook.env ?? []);
  } catch (error) {
    throw new PlashError(`${hook.hookName} hook ${hook.path}: ${reason(error)}`, { cause: error });
  } finally {
    dup2(saved, 0);
    closeFd(saved);
    closeFd(pipe.read);
  }
  // Waited for here, not by Deno: rootless this runs in a clone child, which has no event loop.
  const status = waitForExitWithin(
    pid,
    hook.timeout === undefined ? undefined : hook.timeout * 1000,
  );
  if (status === undefined) {
    throw new PlashError(
      `${hook.hookName} hook ${hook.path} timed out: still running after its timeout of ` +
        `${hook.timeout} s, killed`,
    );
  }
  if (status !== 0) {
    const how = status > 128 ? `signal ${status - 128}` : `exit status ${status}`;
    throw new PlashError(`${hook.hookName} hook ${hook.path} failed with ${how}`);
  }
}
