/**
 * `plash b CMD [ARG...] MACRO... [-- ARG...]`: builds, then runs `plash CMD
 * ID ARG...` on the image, in this process: `run` by calling the run
 * function with the built image, any other CMD with its own arguments. The arguments before the first
 * macro and those after `--` are CMD's; CMD's options may lead those after
 * `--` (`plash b run -A -- -e A=1 -v /srv:/srv env`).
 *
 * @module
 */

import { build } from "../build/builder.ts";
import { commandHelp, findCommand, loadCommand, noSuchCommand } from "../cli/commands/mod.ts";
import { writeOut } from "../cli/output.ts";
import { splitLeadingOptions } from "../cli/leading_options.ts";
import { type Args, parseArgs } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { needPrivilege } from "../privilege.ts";
import { runImage } from "../runtime/run_image.ts";
import { Store } from "../store/store.ts";
import { runSpecOf } from "./run.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<number> {
  const [name, ...rest] = args.positionals;
  const command = findCommand(name);
  if (!command) throw noSuchCommand(name);
  const firstMacro = rest.findIndex((arg) => arg.startsWith("-"));
  const end = rest.indexOf("--");
  const macros = firstMacro === -1 || firstMacro === end
    ? []
    : rest.slice(firstMacro, end === -1 ? undefined : end);
  if (macros.length === 0) {
    // Worded as the original plash worded it.
    throw new PlashError("b: no build arguments (macros: see `plash help-macros`)");
  }
  const commandArgs = [
    ...rest.slice(0, firstMacro),
    ...(end === -1 ? [] : rest.slice(end + 1)),
  ];
  // CMD's options after `--` (`plash -A -- -e A=1 env`) go before the id, where CMD reads
  // them; an unknown one is told before anything is built.
  const { options, rest: words } = splitLeadingOptions(command, commandArgs);
  const store = Store.open();
  if (command.name === "run") {
    const runArgs = parseArgs({ ...command, arity: [0, 0] }, options);
    if (runArgs.help) return writeOut(commandHelp(command)), 0;
    return await runImage(await runSpecOf(runArgs, store, await build(store, macros), words));
  }
  // A command that needs root throughout: as root from the start, not after the build.
  if (command.asRoot && !command.ownUserNamespace && !command.rootOnDemand) needPrivilege();
  const id = await build(store, macros);
  const parsed = parseArgs(command, [...options, String(id), ...words]);
  if (parsed.help) return writeOut(commandHelp(command)), 0;
  const module = await loadCommand(command);
  return (await module.main(parsed)) ?? 0;
}
