/**
 * The command table, put together from one file a group (`running.ts`,
 * `images.ts`, `build.ts`, `archives.ts`, `store.ts`, `other.ts`): name,
 * arguments, options, help text and module of each command. The parser
 * (`../parse_args.ts`), `plash help` and `plash CMD --help` read it. Loading
 * modules lazily keeps the start of `plash run` free of the code of every
 * other command.
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import { importFromRoot } from "../../lazy_import.ts";
import { twoColumns } from "../output.ts";
import { usageLine } from "../parse_args.ts";
import type { Command, CommandModule } from "./command.ts";
import { archiveCommands } from "./archives.ts";
import { buildCommands } from "./build.ts";
import { imageCommands } from "./images.ts";
import { otherCommands } from "./other.ts";
import { runningCommands } from "./running.ts";
import { storeCommands } from "./store.ts";

export type { Command, CommandModule } from "./command.ts";

/**
 * The order `plash help` (by group, in the order of their first command), the
 * manual and the completion list the commands in.
 */
const ORDER = [
  "run",
  "create",
  "mount",
  "with-mount",
  "sudo",
  "build",
  "bud",
  "eval",
  "b",
  "exec",
  "help-macros",
  "ls",
  "inspect",
  "tag",
  "untag",
  "rm",
  "map",
  "nodepath",
  "parent",
  "add-layer",
  "import-tar",
  "import-url",
  "import-lxc",
  "import-docker",
  "import-oci",
  "import-docker-archive",
  "login",
  "logout",
  "export-tar",
  "copy",
  "init",
  "data",
  "clean",
  "shrink",
  "purge",
  "mkdtemp",
  "doctor",
  "completion",
  "complete-images",
  "probe-overlay",
  "help",
  "version",
  "bundle",
  "runc",
  "export-oci",
  "export-docker-archive",
  "push",
];

/**
 * The groups' tables, in the order a start looks in them: each is made when
 * first looked in, so that `plash run` makes only its own group's (the
 * others' options and help texts cost every start about 0.15 ms).
 */
const GROUPS: readonly (() => Command[])[] = [
  runningCommands,
  buildCommands,
  imageCommands,
  storeCommands,
  archiveCommands,
  otherCommands,
];

const made: Command[][] = [];

/** The table of group `at` of {@linkcode GROUPS}, made once. */
function group(at: number): Command[] {
  return made[at] ??= GROUPS[at]();
}

let ordered: Command[] | undefined;

/**
 * Every command, in the order `plash help` lists them: put in order when
 * first asked (by help, the manual, completion), not at every start.
 *
 * @example
 * ```ts
 * import { allCommands } from "./mod.ts";
 *
 * allCommands()[0].name; // "run"
 * ```
 */
export function allCommands(): Command[] {
  if (ordered === undefined) {
    const byName = new Map(
      GROUPS.flatMap((_, at) => group(at)).map((command) => [command.name, command]),
    );
    ordered = ORDER.map((name) => byName.get(name)!);
  }
  return ordered;
}

/**
 * Loads a command's module, out of the module graph Deno walks at start-up
 * (`deno compile` is told to include core/ instead).
 */
export function loadCommand(command: Command): Promise<CommandModule> {
  return importFromRoot<CommandModule>(`core/cmd/${command.module}.ts`);
}

/** The command called `name`. */
export function findCommand(name: string): Command | undefined {
  for (let at = 0; at < GROUPS.length; at++) {
    const found = group(at).find((command) => command.name === name);
    if (found) return found;
  }
  return undefined;
}

/**
 * The error for a command plash does not have, worded as the original plash
 * worded it (scripts match "no such command").
 *
 * @example
 * ```ts
 * import { noSuchCommand } from "./mod.ts";
 *
 * noSuchCommand("frobnicate").message; // "no such command: frobnicate (try `plash help`)"
 * ```
 */
export function noSuchCommand(name: string): PlashError {
  return new PlashError(`no such command: ${name} (try \`plash help\`)`);
}

/** `plash help NAME`'s text: usage, summary, options, details. */
export function commandHelp(command: Command): string {
  const lines = [usageLine(command), "", command.summary];
  if (command.options?.length) {
    const names = command.options.map((option) =>
      `${option.short ? `-${option.short}, ` : ""}--${option.name}${
        option.value ? ` ${option.value}` : ""
      }`
    );
    lines.push("", "Options:");
    lines.push(...twoColumns(command.options.map((option, i) => [names[i], option.help]), "  "));
  }
  if (command.details) lines.push("", command.details);
  return lines.join("\n") + "\n";
}
