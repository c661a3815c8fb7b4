/**
 * Becoming root without privileges: a new user namespace whose ids are
 * mapped from outside (see `id_map.ts`), entered by a child of plash that
 * shares its memory (see `ffi/spawn_in_namespaces.ts`). The child either
 * sets up a container itself and execs its command (`spawn_container.ts`), or
 * execs plash again in the namespace for a command that needs root
 * throughout ({@linkcode runInUserNamespace}). Plash waits for it, passing
 * signals on ({@linkcode SignalRelay}), and exits as it exits.
 *
 * @module
 */

import {
  dieWithParent,
  spawnSharingMemory,
  startNamespaceHolder,
} from "../../ffi/spawn_in_namespaces.ts";
import { sendSignal, waitForExit } from "../../ffi/processes.ts";
import { closeFd, effectiveIds, execve, openReadOnly, processId } from "../../ffi/sys.ts";
import { errorLine, PlashError } from "../errors.ts";
import { selfCommand } from "../self_command.ts";
import { explainRefusal } from "./host_support.ts";
import { type IdMapping, mapOnlyCaller, plannedMapping, writeIdMaps } from "./id_map.ts";

/** Signals plash passes on to the container instead of acting on them. */
const FORWARDED: [Deno.Signal, number][] = [
  ["SIGINT", 2],
  ["SIGTERM", 15],
  ["SIGHUP", 1],
  ["SIGQUIT", 3],
  ["SIGUSR1", 10],
  ["SIGUSR2", 12],
  ["SIGWINCH", 28],
];
const SIGKILL = 9;

/**
 * A new user namespace with the id maps `mapping` plans, open as a descriptor (close it): made
 * early, a clone child can join it later with no more children of its own.
 */
export async function mappedUserNamespace(mapping: IdMapping): Promise<number> {
  const holder = explainRefusal(startNamespaceHolder);
  try {
    await writeIdMaps(holder, mapping);
    return openReadOnly(`/proc/${holder}/ns/user`);
  } finally {
    sendSignal(holder, SIGKILL);
    await waitForExit(holder);
  }
}

/**
 * Starts `body`, which ends in an exec (or returns: the child exits with
 * status 0), in a child that shares plash's memory and is root of a new user
 * namespace with the caller's id maps; returns the child's pid. With a
 * subordinate range the maps can only be written from outside: the child joins
 * a namespace mapped by newuidmap and newgidmap while a holder process kept
 * it. Without one the child makes the namespace itself and maps only the
 * caller: no holder, no helpers. What `body` throws goes to `onError` (by
 * default said in one line).
 */
export async function spawnAsNamespaceRoot(
  body: () => void,
  onError: (error: unknown) => number = reportInChild,
): Promise<number> {
  const { uid, gid } = effectiveIds();
  // Planned once: it reads passwd and the subordinate id files and searches PATH for the helpers.
  const mapping = plannedMapping(uid, gid);
  if (mapping.ranges === undefined) {
    return explainRefusal(() =>
      spawnSharingMemory(() => {
        mapOnlyCaller("self", uid, gid);
        body();
      }, { newUserNamespace: true, onError })
    );
  }
  const namespace = await mappedUserNamespace(mapping);
  try {
    return spawnSharingMemory(body, { userNamespaceFd: namespace, onError });
  } finally {
    closeFd(namespace);
  }
}

/**
 * Runs `body`, system calls on buffers made beforehand and no exec (see
 * `ffi/remove_tree.ts`), in a child that shares plash's memory and is root
 * of a new user namespace with the caller's id maps, and waits for it; what
 * `body` throws is thrown here. For the files of the caller's subordinate
 * ids that only root of that namespace may remove.
 */
export async function whileNamespaceRoot(body: () => void): Promise<void> {
  let failure: unknown;
  const pid = await spawnAsNamespaceRoot(body, (error) => {
    failure = error;
    return 1;
  });
  const status = await waitForExit(pid);
  if (failure !== undefined) throw failure;
  if (status !== 0) {
    throw new PlashError(`a child as root of plash's user namespace ended with status ${status}`);
  }
}

/** What a child that shares plash's memory does with an error: says it in one line. */
export function reportInChild(error: unknown): number {
  const line = new TextEncoder().encode(errorLine(error) + "\n");
  Deno.stderr.writeSync(line);
  return error instanceof PlashError ? error.exitCode : 1;
}

/**
 * The signals plash gets, passed on to a child: listening starts when the
 * relay is made, before the child is, so that a signal sent as soon as the
 * child's command runs (a test's, a user's Ctrl-C) reaches the child instead
 * of ending plash with its default action; what comes before the child's pid
 * is known is passed on then. Stop listening with `using`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SignalRelay, spawnAsNamespaceRoot } from "./user_namespace.ts";
 * import { execve } from "../../ffi/sys.ts";
 *
 * using relay = new SignalRelay();
 * const pid = await spawnAsNamespaceRoot(() => execve("/bin/sh", ["sh", "-c", "exit 3"], []));
 * assert.equal(await relay.wait(pid), 3);
 * ```
 */
export class SignalRelay implements Disposable {
  #pid: number | undefined;
  readonly #pending: number[] = [];
  readonly #handlers: [Deno.Signal, () => void][];

  /** Starts listening. */
  constructor() {
    this.#handlers = FORWARDED.map(([name, number]) => [name, () => {
      if (this.#pid === undefined) this.#pending.push(number);
      else sendSignal(this.#pid, number);
    }]);
    for (const [name, handler] of this.#handlers) Deno.addSignalListener(name, handler);
  }

  /**
   * Passes signals on to child `pid` (those that came already first), waits
   * for it and returns its exit status (128 + N when signal N ended it).
   */
  async wait(pid: number): Promise<number> {
    this.#pid = pid;
    for (const signal of this.#pending.splice(0)) sendSignal(pid, signal);
    return await waitForExit(pid);
  }

  [Symbol.dispose](): void {
    for (const [name, handler] of this.#handlers) Deno.removeSignalListener(name, handler);
  }
}

/**
 * Runs `plash ARGS...` as root of a new user namespace and returns its exit
 * status (128 + N when signal N ended it). The plash started there dies with
 * this one: killed, this one leaves no export or import going on in its name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runInUserNamespace } from "./user_namespace.ts";
 *
 * assert.equal(await runInUserNamespace(["version"]), 0); // `plash version`, printed there
 * ```
 */
export function runInUserNamespace(args: string[]): Promise<number> {
  const [program, ...rest] = selfCommand(args);
  const env = Object.entries(Deno.env.toObject()).map(([name, value]) => `${name}=${value}`);
  const parent = processId();
  return asNamespaceRoot(() => {
    dieWithParent(parent);
    execve(program, [program, ...rest], env);
  });
}

/**
 * Runs `body`, which ends in an exec, in a child that shares plash's memory
 * and is root of a new user namespace (see `ffi/spawn_in_namespaces.ts`);
 * returns the child's exit status (128 + N when signal N ended it), signals
 * passed on meanwhile.
 */
export async function asNamespaceRoot(body: () => void): Promise<number> {
  using relay = new SignalRelay();
  return await relay.wait(await spawnAsNamespaceRoot(body));
}
