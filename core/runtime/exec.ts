/**
 * Replacing plash with the command: found on the PATH of the root the thread
 * is in (the container's after chroot), exec'd directly, with no shell.
 *
 * @module
 */

import { execve, isExecutable } from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";
import { DEFAULT_PATH } from "./environment.ts";

/** The path `name` runs from: itself when it has a slash, else the first hit on `path`. */
export function findExecutable(name: string, path: string): string | undefined {
  if (name.includes("/")) return isExecutable(name) ? name : undefined;
  for (const dir of path.split(":")) {
    const candidate = `${dir || "."}/${name}`;
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Execs `argv` with `env`, searching `path`; `where` names the root in the error. */
export function execCommand(argv: string[], env: string[], path: string, where: string): never {
  const file = findExecutable(argv[0], path);
  if (file === undefined) {
    throw new PlashError(`${argv[0]}: command not found in ${where}`, { exitCode: 127 });
  }
  execve(file, argv, env);
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
