/** `plash version [--json]` @module */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { VERSION } from "../version.ts";

/**
 * Runs the command line: plash's version, the Deno runtime's and the
 * machine's architecture (a release archive carries a Deno for one).
 */
export function main(args: Args): void {
  const { os, arch } = Deno.build;
  if (args.flag("json")) {
    return printLine(JSON.stringify({ version: VERSION, deno: Deno.version.deno, os, arch }));
  }
  printLine(`plash ${VERSION} (deno ${Deno.version.deno}, ${os} ${arch})`);
}
