/** `plash help [CMD]` @module */

import { type Command, commandHelp, COMMANDS, findCommand } from "../cli/commands.ts";
import type { Args } from "../cli/parse_args.ts";
import { writeOut } from "../cli/output.ts";
import { PlashError } from "../errors.ts";

/** Runs the command line. */
export function main(args: Args): void {
  const [name] = args.positionals;
  if (name !== undefined) {
    const command = findCommand(name);
    if (!command) {
      throw new PlashError(`unknown command: ${name} (see \`plash help\`)`, { exitCode: 2 });
    }
    writeOut(commandHelp(command));
    return;
  }
  writeOut(overview());
}

function overview(): string {
  const groups = new Map<string, Command[]>();
  for (const command of COMMANDS.filter((each) => !each.hidden)) {
    groups.set(command.group, [...(groups.get(command.group) ?? []), command]);
  }
  const lines = [
    "plash: build and run containers that are ordinary processes",
    "",
    "usage: plash COMMAND [ARGS...]",
  ];
  for (const [group, commands] of groups) {
    lines.push("", `${group}:`);
    for (const command of commands) {
      lines.push(`  ${command.name.padEnd(12)} ${command.summary}`);
    }
  }
  lines.push("", "`plash help COMMAND` or `plash COMMAND --help` tells more.");
  return lines.join("\n") + "\n";
}
