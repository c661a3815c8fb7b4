/** `plash completion bash|zsh|fish`: the shell's completion script, on stdout. @module */

import { completionScript, SHELLS } from "../cli/completion.ts";
import { findCommand } from "../cli/commands/mod.ts";
import { type Args, usageError } from "../cli/parse_args.ts";
import { writeOut } from "../cli/output.ts";

/** Runs the command line. */
export function main(args: Args): void {
  const [shell] = args.positionals;
  const known = SHELLS.find((each) => each === shell);
  if (!known) throw usageError(findCommand("completion")!, `no completion for ${shell}`);
  writeOut(completionScript(known));
}
