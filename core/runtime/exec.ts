/**
 * Replacing plash with the command: found on the PATH of the root the thread
 * is in (the container's after chroot), exec'd directly, with no shell.
 *
 * Exit statuses as shells give them: 127 when the command is not there, 126
 * when it is but cannot run (a directory, a file without the exec bit, a
 * format the kernel does not run).
 *
 * @module
 */

import { SyscallError } from "../../ffi/errors.ts";
import { fileStatus } from "../../ffi/stat.ts";
import { execve, execveOrErrno, exists, isExecutable, prepareExec } from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";
import { DEFAULT_PATH } from "./environment.ts";

function isDirectory(path: string): boolean {
  try {
    return fileStatus(path, { follow: true })?.type === "directory";
  } catch {
    return false;
  }
}

/** Whether `path` is a file the caller may execute (a directory is not, though it has x). */
function runnable(path: string): boolean {
  return isExecutable(path) && !isDirectory(path);
}

/** The path `name` runs from: itself when it has a slash, else the first hit on `path`. */
export function findExecutable(name: string, path: string): string | undefined {
  return candidates(name, path).find(runnable);
}

/** Why `name`, which is not runnable, is there but cannot run; undefined when it is not there. */
function whyNotRunnable(name: string, path: string): string | undefined {
  for (const candidate of candidates(name, path)) {
    if (!exists(candidate)) continue;
    if (!name.includes("/") && isDirectory(candidate)) continue; // shells skip these too
    return isDirectory(candidate) ? "is a directory" : "permission denied";
  }
  return undefined;
}

/** Errors of an exec that mean "not this one" to a PATH search (execvp's, with ELOOP). */
const NOT_HERE = new Set([2, 13, 20, 36, 40]); // ENOENT EACCES ENOTDIR ENAMETOOLONG ELOOP

/**
 * Execs `argv` with `env`, searching `path`; `where` names the root in the
 * error.
 *
 * Each candidate the caller may execute is exec'd straight away, as execvp
 * does: a directory or a missing interpreter fails that exec, and the search
 * goes on (a stat of each first cost more; an exec that fails costs the
 * kernel several times an access(2), so those are still asked first). When
 * none runs, the candidates are checked one by one for the error a shell
 * gives: not found, not runnable, or the exec's own failure.
 */
export function execCommand(argv: string[], env: string[], path: string, where: string): never {
  const prepared = prepareExec(argv, env);
  for (const candidate of candidates(argv[0], path)) {
    if (isExecutable(candidate) && !NOT_HERE.has(execveOrErrno(candidate, prepared))) break;
  }
  explainFailedExec(argv, env, path, where);
}

/** The places `name` is looked for: itself when it has a slash, else each directory of `path`. */
function candidates(name: string, path: string): string[] {
  return name.includes("/") ? [name] : path.split(":").map((dir) => `${dir || "."}/${name}`);
}

/** Throws the error of a command that did not run (127 or 126, as shells say them). */
function explainFailedExec(argv: string[], env: string[], path: string, where: string): never {
  const file = findExecutable(argv[0], path);
  if (file === undefined) {
    const why = whyNotRunnable(argv[0], path);
    if (why !== undefined) {
      throw new PlashError(`${argv[0]}: cannot execute in ${where}: ${why}`, { exitCode: 126 });
    }
    throw new PlashError(`${argv[0]}: command not found in ${where}`, { exitCode: 127 });
  }
  try {
    execve(file, argv, env);
  } catch (error) {
    // ENOENT here is a missing interpreter or loader: the command's own is there.
    const missing = error instanceof SyscallError && error.code === "ENOENT";
    throw new PlashError(`${argv[0]}: cannot execute in ${where}: ${reasonOf(error)}`, {
      exitCode: missing ? 127 : 126,
      cause: error,
    });
  }
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(message.indexOf(": ") + 2);
}

/**
 * Execs `argv` (default: $SHELL) on the host, with plash's own environment,
 * found on the host's PATH: `plash sudo`, `data` and `with-mount`.
 */
export function execHostCommand(argv: string[]): never {
  const env = Deno.env.toObject();
  const command = argv.length ? argv : [env.SHELL || "/bin/sh"];
  const list = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  execCommand(command, list, env.PATH ?? DEFAULT_PATH, "the host's PATH");
}
