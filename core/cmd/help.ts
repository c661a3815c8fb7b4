/** `plash help [CMD]` @module */

import {
  allCommands,
  type Command,
  commandHelp,
  findCommand,
  noSuchCommand,
} from "../cli/commands/mod.ts";
import type { Args } from "../cli/parse_args.ts";
import { twoColumns, writeOut } from "../cli/output.ts";

/** Runs the command line. */
export function main(args: Args): void {
  const [name] = args.positionals;
  if (name !== undefined) {
    const command = findCommand(name);
    if (!command) throw noSuchCommand(name);
    writeOut(commandHelp(command));
    return;
  }
  writeOut(overview());
}

/**
 * `plash help`: a line `plash NAME  SUMMARY` a command, as the original
 * plash listed them (scripts grep them, and run `plash help` on the second
 * word of every line but the last), grouped by blank lines. `plash help
 * NAME` (or `plash NAME --help`) tells more.
 */
function overview(): string {
  const commands = allCommands().filter((each) => !each.hidden);
  const groups = new Map<string, Command[]>();
  for (const command of commands) {
    groups.set(command.group, [...(groups.get(command.group) ?? []), command]);
  }
  // Last, as in the original's list (which had `plash -*` there).
  const macroLine: [string, string] = [
    "plash -MACRO...",
    "build, then run: plash b run -MACRO... (see help-macros)",
  ];
  // One width for all: the longest command name sets it (import-docker-archive).
  const rows = [
    ...[...groups.values()].flat().map((command): [string, string] => [
      `plash ${command.name}`,
      command.summary,
    ]),
    macroLine,
  ];
  const aligned = twoColumns(rows);
  const lines: string[] = [];
  let i = 0;
  for (const group of groups.values()) {
    if (lines.length) lines.push("");
    for (const _ of group) lines.push(aligned[i++]);
  }
  lines.push("", aligned[i]);
  return lines.join("\n") + "\n";
}
