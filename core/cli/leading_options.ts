/**
 * Options of a command that come before the words it is given on another
 * command's behalf: `plash MACROS -- -e A=1 CMD` and `plash b run MACROS --
 * -v SRC:DST CMD` hand `run` the options after `--`, `plash exec -w DIR
 * PLASHFILE` those before the Plashfile. They are read with the command's
 * own declaration, so an unknown one is the same usage error naming it.
 *
 * @example
 * ```ts
 * import { findCommand } from "./commands/mod.ts";
 * import { withLeadingOptions } from "./leading_options.ts";
 *
 * withLeadingOptions(findCommand("run")!, ["7"], ["-e", "A=1", "env"]);
 * // ["-e", "A=1", "7", "env"]
 * ```
 *
 * @module
 */

import { type ArgsSpec, parseArgs } from "./parse_args.ts";

/**
 * The options at the start of `words` (as `spec` declares them) and the
 * rest: the options' words as given (without a `--` that ended them).
 */
export function splitLeadingOptions(
  spec: ArgsSpec,
  words: string[],
): { options: string[]; rest: string[] } {
  if (!spec.optionsFirst || !spec.options?.length) return { options: [], rest: words };
  const parsed = parseArgs({ ...spec, arity: [0, Infinity] }, words);
  const options = words.slice(0, words.length - parsed.positionals.length);
  if (options.at(-1) === "--") options.pop();
  return { options, rest: parsed.positionals };
}

/**
 * The argv of `spec`'s command: the options leading `words`, then `first`
 * (the image id, say), then the rest of `words`.
 */
export function withLeadingOptions(spec: ArgsSpec, first: string[], words: string[]): string[] {
  const { options, rest } = splitLeadingOptions(spec, words);
  return [...options, ...first, ...rest];
}
