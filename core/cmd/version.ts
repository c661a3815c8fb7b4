/** `plash version` @module */

import { VERSION } from "../version.ts";
import { expectArgs, printLine } from "./args.ts";

/** Runs the command line. */
export function main(args: string[]): void {
  expectArgs("version", args, 0);
  printLine(`plash ${VERSION} (deno ${Deno.version.deno})`);
}
