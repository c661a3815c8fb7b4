/** `plash help [CMD]` @module */

import { type Command, commandHelp, COMMANDS, findCommand } from "../commands.ts";
import { PlashError } from "../errors.ts";
import { expectArgs, writeOut } from "./args.ts";

/** Runs the command line. */
export function main(args: string[]): void {
  expectArgs("help", args, 0, 1);
  if (args.length) {
    const command = findCommand(args[0]);
    if (!command) throw new PlashError(`unknown command: ${args[0]} (see \`plash help\`)`, 2);
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
