/** `plash doctor` @module */

import { runChecks } from "../doctor/checks.ts";
import { expectArgs, printLine } from "./args.ts";

/** Runs the command line: one line a check; exits 1 when plash cannot run here. */
export async function main(args: string[]): Promise<number> {
  expectArgs("doctor", args, 0);
  let usable = true;
  for (const check of await runChecks()) {
    const mark = check.ok ? "ok  " : check.required ? "FAIL" : "warn";
    printLine(`${mark}  ${check.name}: ${check.detail}${check.ok ? "" : `; fix: ${check.fix}`}`);
    if (!check.ok && check.required) usable = false;
  }
  return usable ? 0 : 1;
}
