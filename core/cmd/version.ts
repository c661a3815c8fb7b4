/** `plash version` @module */

import { printLine } from "../cli/output.ts";
import { VERSION } from "../version.ts";

/** Runs the command line. */
export function main(): void {
  printLine(`plash ${VERSION} (deno ${Deno.version.deno})`);
}
