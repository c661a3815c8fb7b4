/**
 * `plash b CMD [ARG...] MACRO... [-- ARG...]`: builds, then runs `plash CMD
 * ID ARG...` on the image, in this process. The arguments before the first
 * macro and those after `--` are CMD's.
 *
 * @module
 */

import { build } from "../build/builder.ts";
import { findCommand, loadCommand } from "../commands.ts";
import { PlashError } from "../errors.ts";
import { usageError } from "./args.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) throw usageError("b");
  const command = findCommand(name);
  if (!command) throw new PlashError(`unknown command: ${name} (see \`plash help\`)`, 2);
  const firstMacro = rest.findIndex((arg) => arg.startsWith("-"));
  const end = rest.indexOf("--");
  const macros = firstMacro === -1 || firstMacro === end
    ? []
    : rest.slice(firstMacro, end === -1 ? undefined : end);
  if (macros.length === 0) {
    throw new PlashError("b: no macros to build (see `plash help-macros`)", 2);
  }
  const commandArgs = [
    ...rest.slice(0, firstMacro),
    ...(end === -1 ? [] : rest.slice(end + 1)),
  ];
  const id = await build(macros);
  const module = await loadCommand(command);
  return (await module.main([String(id), ...commandArgs])) ?? 0;
}
