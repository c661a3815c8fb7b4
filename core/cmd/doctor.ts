/** `plash doctor [--json] [--cdi-spec-dir DIR]...` @module */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { runChecks } from "../doctor/checks.ts";
import { Store } from "../store/store.ts";

/**
 * Runs the command line: one line a check (or a JSON array of them); exits
 * 1 when plash cannot run here.
 */
export async function main(args: Args): Promise<number> {
  const checks = await runChecks(Store.at(), args.values("cdi-spec-dir"));
  const usable = checks.every((check) => check.ok || !check.required);
  if (args.flag("json")) {
    printLine(JSON.stringify(
      checks.map(({ name, ok, required, detail, fix }) => ({
        name,
        ok,
        required,
        detail,
        fix: ok ? null : fix ?? null,
      })),
      null,
      2,
    ));
    return usable ? 0 : 1;
  }
  for (const check of checks) {
    const mark = check.ok ? "ok  " : check.required ? "FAIL" : "warn";
    printLine(`${mark}  ${check.name}: ${check.detail}${check.ok ? "" : `; fix: ${check.fix}`}`);
  }
  return usable ? 0 : 1;
}
