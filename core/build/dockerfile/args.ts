/**
 * A Dockerfile's ARGs: what an `ARG` line declares, and the global ARGs'
 * values (those before the first FROM, which FROM lines may use).
 *
 * @example
 * ```ts
 * import { argDeclarations } from "./args.ts";
 *
 * argDeclarations("A B=$A", { A: "1" }, "\\"); // [["A"], ["B", "1"]]
 * ```
 *
 * @module
 */

import { predefinedArgs } from "./platform_args.ts";
import type { StageGraph } from "./stages.ts";
import { expandWord, splitWords, type Variables } from "./words.ts";

/** `ARG a b=2`: each name and its default, expanded. */
export function argDeclarations(
  args: string,
  vars: Variables,
  escape: string,
): [string, string?][] {
  return splitWords(args, escape).map((word) => {
    const equals = word.indexOf("=");
    if (equals < 0) return [word];
    return [word.slice(0, equals), expandWord(word.slice(equals + 1), vars, escape)];
  });
}

/** The global ARGs' values: defaults, overridden by `--build-arg`, and the predefined ones. */
export function globalArgs(graph: StageGraph, buildArgs: Record<string, string>): Variables {
  const vars: Variables = { ...predefinedArgs() };
  for (const instruction of graph.globalArgs) {
    for (const [name, value] of argDeclarations(instruction.args, vars, graph.escape)) {
      const given = buildArgs[name] ?? value;
      if (given !== undefined) vars[name] = given;
    }
  }
  return vars;
}
