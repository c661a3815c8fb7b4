/**
 * The `plash` command line: argv to a command. Nothing else lives here.
 *
 * @module
 */

import { commandHelp, findCommand, loadCommand } from "./core/commands.ts";
import { errorLine, PlashError } from "./core/errors.ts";
import { lazyImport } from "./core/lazy_import.ts";
import { route } from "./core/route.ts";

async function dispatch(argv: string[]): Promise<number> {
  argv = route(argv);
  const [name, ...args] = argv;
  const command = findCommand(name);
  if (!command) {
    throw new PlashError(`unknown command: ${name} (see \`plash help\`)`, 2);
  }
  if (args[0] === "--help" || args[0] === "-h") {
    await Deno.stdout.write(new TextEncoder().encode(commandHelp(command)));
    return 0;
  }
  // A non-root caller gets root of a user namespace, where plash runs again.
  if (command.asRoot && Deno.uid() !== 0) {
    const { runInUserNamespace } = await lazyImport<
      typeof import("./core/runtime/user_namespace.ts")
    >(import.meta.url, "./core/runtime/user_namespace.ts");
    return await runInUserNamespace(argv);
  }
  const module = await loadCommand(command);
  return (await module.main(args)) ?? 0;
}

try {
  Deno.exit(await dispatch(Deno.args));
} catch (error) {
  console.error(errorLine(error));
  if (Deno.env.get("PLASH_TRACE")) console.error(error);
  Deno.exit(error instanceof PlashError ? error.exitCode : 1);
}
