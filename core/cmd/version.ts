/** `plash version` @module */

import { printLine } from "../cli/output.ts";
import { VERSION } from "../version.ts";

/**
 * Runs the command line: plash's version, the Deno runtime's and the
 * machine's architecture (a release archive carries a Deno for one).
 */
export function main(): void {
  printLine(`plash ${VERSION} (deno ${Deno.version.deno}, ${Deno.build.os} ${Deno.build.arch})`);
}
