/**
 * The options of the image commands: `--name VALUE` (or `--name=VALUE`) and
 * `--flag`, anywhere before `--`; everything else is positional.
 *
 * @module
 */

import { usageError } from "../cmd/args.ts";

/** What {@linkcode parseOptions} found. */
export interface Parsed {
  /** Each option given: its value, or `true` for a flag. */
  options: Record<string, string | true>;
  positionals: string[];
}

/**
 * Parses `args` of command `command`, which takes options `values` (with a
 * value) and `flags` (without), names given without the dashes. Anything
 * else starting with `--` is a usage error (exit 2), as is a missing value.
 *
 * @example
 * ```ts
 * parseOptions("import-docker", ["--arch", "arm64", "alpine"], { values: ["arch"] });
 * // { options: { arch: "arm64" }, positionals: ["alpine"] }
 * ```
 */
export function parseOptions(
  command: string,
  args: string[],
  { values = [], flags = [] }: { values?: string[]; flags?: string[] },
): Parsed {
  const parsed: Parsed = { options: {}, positionals: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      parsed.positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      parsed.positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = arg.slice(2, equals < 0 ? undefined : equals);
    if (flags.includes(name) && equals < 0) parsed.options[name] = true;
    else if (values.includes(name)) {
      const value = equals < 0 ? args[++i] : arg.slice(equals + 1);
      if (value === undefined || value === "") throw usageError(command);
      parsed.options[name] = value;
    } else throw usageError(command);
  }
  return parsed;
}

/** The value of option `name`, if given. */
export function optionValue(parsed: Parsed, name: string): string | undefined {
  const value = parsed.options[name];
  return typeof value === "string" ? value : undefined;
}
