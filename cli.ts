/**
 * The `plash` command line: argv to a command. Nothing else lives here.
 *
 * @module
 */

import { commandHelp, findCommand } from "./core/commands.ts";
import { errorLine, PlashError } from "./core/errors.ts";
import { becomeRoot } from "./core/runtime/become_root.ts";

async function dispatch(argv: string[]): Promise<number> {
  const [name = "help", ...args] = argv;
  if (name === "--help" || name === "-h") return dispatch(["help", ...args]);
  if (name === "--version") return dispatch(["version"]);
  const command = findCommand(name);
  if (!command) {
    throw new PlashError(`unknown command: ${name} (see \`plash help\`)`, 2);
  }
  if (args[0] === "--help" || args[0] === "-h") {
    await Deno.stdout.write(new TextEncoder().encode(commandHelp(command)));
    return 0;
  }
  if (command.asRoot) {
    const status = await becomeRoot(argv);
    if (status !== undefined) return status;
  }
  const module = await command.load();
  return (await module.main(args)) ?? 0;
}

try {
  Deno.exit(await dispatch(Deno.args));
} catch (error) {
  console.error(errorLine(error));
  if (Deno.env.get("PLASH_TRACE")) console.error(error);
  Deno.exit(error instanceof PlashError ? error.exitCode : 1);
}
