/**
 * The `plash` command line: argv to a command. Nothing else lives here.
 *
 * @module
 */

import { commandHelp, findCommand, loadCommand, noSuchCommand } from "./core/cli/commands/mod.ts";
import { parseArgs } from "./core/cli/parse_args.ts";
import { errorLine, errorTrace, PlashError } from "./core/errors.ts";
import { lazyImport } from "./core/lazy_import.ts";
import { needsPrivilege } from "./core/privilege.ts";

/** What bare `plash` says, on stderr with exit status 1, as the original plash did. */
const BARE = "plash is a container build and run engine, try --help";

/**
 * `argv` with its command made explicit:
 * * `-h`/`--help`, `--version`, `--help-macros`: those commands;
 * * a macro first (`plash -A --apk git -- git status`): `b run MACROS...`
 *   (`-` and `--` are no macros);
 * * a path (it has a slash): a Plashfile, as `#!/usr/bin/env plash` runs
 *   it: `exec PATH ARGS...`.
 */
function route(argv: string[]): string[] {
  const [first, ...rest] = argv;
  if (first === "-h" || first === "--help") return ["help", ...rest];
  if (first === "--version") return ["version"];
  if (first === "--help-macros") return ["help-macros", ...rest];
  if (first.startsWith("-") && first !== "-" && first !== "--") return ["b", "run", ...argv];
  // No command has a slash: a missing file is `exec`'s to report, as the original did.
  if (first.includes("/")) return ["exec", ...argv];
  return argv;
}

async function dispatch(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    console.error(BARE);
    return 1;
  }
  argv = route(argv);
  const [name, ...rest] = argv;
  const command = findCommand(name);
  if (!command) throw noSuchCommand(name);
  // Wrong usage is told before anything else happens, a user namespace included.
  const args = parseArgs(command, rest);
  if (args.help) {
    const { writeOut } = await lazyImport("cliOutput");
    writeOut(commandHelp(command));
    return 0;
  }
  // A non-root caller of a command that needs root throughout gets root of a
  // user namespace, where plash runs again (unless the command enters one
  // itself; without mounts it cannot). One that needs root only sometimes
  // runs as its caller and says when it does (core/privilege.ts).
  const noUnshare = Deno.env.get("PLASH_NO_UNSHARE");
  const ownNamespace = command.ownUserNamespace && noUnshare !== "1";
  const asCaller = command.noUnshareRunsAsCaller && !!noUnshare;
  const rootless = command.asRoot && Deno.uid() !== 0 && !asCaller;
  if (rootless && !ownNamespace && !command.rootOnDemand) return await inUserNamespace(argv);
  const module = await loadCommand(command);
  try {
    return (await module.main(args)) ?? 0;
  } catch (error) {
    if (!needsPrivilege(error) || !rootless) throw error;
    return await inUserNamespace(argv);
  }
}

/** Runs `plash ARGV...` again as root of a new user namespace; its exit status. */
async function inUserNamespace(argv: string[]): Promise<number> {
  const { runInUserNamespace } = await lazyImport("userNamespace");
  return await runInUserNamespace(argv);
}

try {
  Deno.exit(await dispatch(Deno.args));
} catch (error) {
  console.error(errorLine(error));
  if (Deno.env.get("PLASH_TRACE")) console.error(errorTrace(error));
  Deno.exit(error instanceof PlashError ? error.exitCode : 1);
}
