/**
 * Test support: plash on a terminal, as a person sees it. util-linux's
 * `script` runs it on a new pseudo-terminal (stdin, stdout and stderr), and
 * what the terminal showed comes back, newlines as the terminal sent them
 * (`\r\n` made `\n`).
 *
 * @module
 */

import { shellQuote } from "../../core/build/shell_quote.ts";
import { selfCommand } from "../../core/self_command.ts";
import type { Result, TestStore } from "./plash.ts";

/** Runs `plash ARGS...` with `store` on a pseudo-terminal; stdout holds all it showed. */
export async function onTerminal(
  store: TestStore,
  args: string[],
  env: Record<string, string> = {},
): Promise<Result> {
  const command = selfCommand(args).map(shellQuote).join(" ");
  // -e: script exits with the command's status; output is the terminal's, stderr included.
  const result = await store.spawn(["script", "-qec", command, "/dev/null"], {
    env: { TERM: "xterm", ...env },
  });
  return { ...result, stdout: result.stdout.replaceAll("\r\n", "\n") };
}
