/** `plash doctor` @module */

import { printLine } from "../cli/output.ts";
import { runChecks } from "../doctor/checks.ts";
import { Store } from "../store/store.ts";

/** Runs the command line: one line a check; exits 1 when plash cannot run here. */
export async function main(): Promise<number> {
  let usable = true;
  for (const check of await runChecks(Store.at())) {
    const mark = check.ok ? "ok  " : check.required ? "FAIL" : "warn";
    printLine(`${mark}  ${check.name}: ${check.detail}${check.ok ? "" : `; fix: ${check.fix}`}`);
    if (!check.ok && check.required) usable = false;
  }
  return usable ? 0 : 1;
}
