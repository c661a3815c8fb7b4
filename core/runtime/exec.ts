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
import { execve, exists, isExecutable } from "../../ffi/sys.ts";
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
  if (name.includes("/")) return runnable(name) ? name : undefined;
  for (const dir of path.split(":")) {
    const candidate = `${dir || "."}/${name}`;
    if (runnable(candidate)) return candidate;
  }
  return undefined;
}

/** Why `name`, which is not runnable, is there but cannot run; undefined when it is not there. */
function whyNotRunnable(name: string, path: string): string | undefined {
  const candidates = name.includes("/")
    ? [name]
    : path.split(":").map((dir) => `${dir || "."}/${name}`);
  for (const candidate of candidates) {
    if (!exists(candidate)) continue;
    if (!name.includes("/") && isDirectory(candidate)) continue; // shells skip these too
    return isDirectory(candidate) ? "is a directory" : "permission denied";
  }
  return undefined;
}

/** Execs `argv` with `env`, searching `path`; `where` names the root in the error. */
export function execCommand(argv: string[], env: string[], path: string, where: string): never {
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
