/** `plash help-macros`: every macro with its arguments and a line on what it does. @module */

import { DISTRIBUTIONS, MACRO_GROUPS, MACROS } from "../build/macros.ts";
import { twoColumns, writeOut } from "../cli/output.ts";

/** Runs the command line. */
export function main(): void {
  const lines = ["Macros of plash build, plash eval and Plashfiles:"];
  // One width for every group: the longest macro and its arguments set it.
  const rows = MACROS.map((macro): [string, string] => [
    `${[...macro.names].reverse().join(", ")} ${macro.usage}`.trimEnd(),
    macro.summary,
  ]);
  const aligned = twoColumns(rows, "  ");
  for (const group of MACRO_GROUPS) {
    lines.push("", `${group}:`);
    MACROS.forEach((macro, i) => macro.group === group && lines.push(aligned[i]));
  }
  lines.push(
    "",
    "Single-letter macros combine (-Ax CMD is -A -x CMD). A new layer starts only at --layer.",
    "",
    "The shortcuts pick these releases today (images.linuxcontainers.org names):",
    ...DISTRIBUTIONS.map(({ letter, image }) => `  -${letter}  ${image}`),
    "For another release, name it with --from and add the package macro yourself:",
    "  plash build --from alpine:edge --apk git     (instead of -A git)",
  );
  writeOut(lines.join("\n") + "\n");
}
