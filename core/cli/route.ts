/**
 * The command line's shapes that do not start with a command name, mapped
 * to the command they mean.
 *
 * @module
 */

/**
 * `argv` with its command made explicit:
 * * nothing: `help`; `-h`/`--help`, `--version`, `--help-macros`: those commands;
 * * a path (it has a slash): a Plashfile, as `#!/usr/bin/env plash` runs it:
 *   `exec PATH ARGS...`;
 * * a macro first (`plash -A --apk git -- git status`): `b run MACROS...`.
 */
export function route(argv: string[]): string[] {
  const [first, ...rest] = argv;
  if (first === undefined) return ["help"];
  if (first === "-h" || first === "--help") return ["help", ...rest];
  if (first === "--version") return ["version"];
  if (first === "--help-macros") return ["help-macros", ...rest];
  if (first.includes("/")) return ["exec", ...argv];
  if (first.startsWith("-")) return ["b", "run", ...argv];
  return argv;
}
