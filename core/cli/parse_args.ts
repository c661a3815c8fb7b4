/**
 * The one parser of plash's command lines: each command declares its options
 * and how many positional arguments it takes (see `commands/`), and this
 * turns argv into what the command reads, or into a usage error naming what
 * is wrong. Help, completion and the manual read the same declarations.
 *
 * Options are `--name`, `--name VALUE`, `--name=VALUE`, `-n`, `-n VALUE`
 * and `-nVALUE`; `--` ends them. A command whose arguments end in a command
 * line of its own (`run ID CMD...`) takes options only before its first
 * positional argument, so the command line after it is passed on untouched.
 * `-h` and `--help` ask for the command's help wherever options are read.
 *
 * It is plash's own (node:util's parseArgs costs every start about 7 ms of
 * Node compatibility set-up).
 *
 * @example
 * ```ts
 * import { parseArgs } from "./parse_args.ts";
 *
 * const args = parseArgs({
 *   name: "ls",
 *   options: [{ name: "json", help: "print JSON" }],
 *   arity: [0, 0],
 * }, ["--json"]);
 * args.flag("json"); // true
 * ```
 *
 * @module
 */

import { UsageError } from "../errors.ts";

/** One option a command takes. */
export interface OptionSpec {
  /** The long name, without the dashes: `changes` is `--changes`. */
  name: string;
  /** A one-letter alias: `e` is `-e`. */
  short?: string;
  /** What its value is called in help (`DIR`); a flag has none. */
  value?: string;
  /** It may be given more than once; every value is kept. */
  multiple?: true;
  /** One line for help. */
  help: string;
}

/** No upper bound on a command's positional arguments (in `ArgsSpec.arity`). */
export const MANY = Infinity;

/** What the parser needs to know of a command. */
export interface ArgsSpec {
  name: string;
  /** The positional arguments as help shows them (`ID [CMD [ARG...]]`). */
  usage?: string;
  options?: OptionSpec[];
  /** How many positional arguments it takes: at least, at most ({@linkcode MANY}: no limit). */
  arity: [number, number];
  /** Options stop at the first positional argument: the rest is a command line. */
  optionsFirst?: true;
  /** The arguments are the command's own language (macros): nothing is parsed. */
  raw?: true;
}

/** A command's parsed arguments. */
export class Args {
  /** The positional arguments, in order. */
  readonly positionals: string[];
  /** Whether `-h` or `--help` was given. */
  readonly help: boolean;
  readonly #options: Map<string, string[]>;

  /** Parsed arguments holding `positionals` and `options` (values by long name; [] for a flag). */
  constructor(positionals: string[], options = new Map<string, string[]>(), help = false) {
    this.positionals = positionals;
    this.#options = options;
    this.help = help;
  }

  /** Whether option `name` was given. */
  flag(name: string): boolean {
    return this.#options.has(name);
  }

  /** The value of option `name` (its last, if given more than once). */
  value(name: string): string | undefined {
    return this.#options.get(name)?.at(-1);
  }

  /** Every value of option `name`, in order. */
  values(name: string): string[] {
    return this.#options.get(name) ?? [];
  }
}

/** `[--name VALUE]` for each option and then the positional usage. */
export function usageLine(spec: ArgsSpec): string {
  const options = (spec.options ?? []).map((option) => {
    const name = option.short ? `-${option.short}|--${option.name}` : `--${option.name}`;
    const value = option.value ? ` ${option.value}` : "";
    return `[${name}${value}]${option.multiple ? "..." : ""}`;
  });
  return [`usage: plash ${spec.name}`, ...options, spec.usage ?? ""].join(" ").trimEnd();
}

/**
 * The usage error of `spec`, saying what was wrong when `problem` is given:
 * the one place every command's wrong usage is made (`usage: plash CMD ...`
 * on stderr, exit 1, as the original plash).
 */
export function usageError(spec: ArgsSpec, problem?: string): UsageError {
  const why = problem === undefined ? "" : ` (${problem})`;
  return new UsageError(`${usageLine(spec)}${why}`);
}

/**
 * Parses `argv`, the words after the command's name, as `spec` declares;
 * throws a usage error (exit 1) for an unknown option, a missing value, or
 * too few or too many positional arguments.
 */
export function parseArgs(spec: ArgsSpec, argv: string[]): Args {
  if (spec.raw) {
    if (argv[0] === "-h" || argv[0] === "--help") return new Args(argv, undefined, true);
    if (argv.length < spec.arity[0] || argv.length > spec.arity[1]) throw usageError(spec);
    return new Args(argv);
  }
  const options = new Map<string, string[]>();
  const positionals: string[] = [];
  let help = false;
  const find = (word: string) =>
    word.startsWith("--")
      ? spec.options?.find((option) => option.name === word.slice(2))
      : spec.options?.find((option) => option.short === word[1]);
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    const optionsOver = spec.optionsFirst && positionals.length > 0;
    if (optionsOver || word === "-" || !word.startsWith("-")) {
      positionals.push(word);
      continue;
    }
    if (word === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (word === "-h" || word === "--help") {
      help = true;
      continue;
    }
    const long = word.startsWith("--");
    const equals = long ? word.indexOf("=") : -1;
    const written = equals < 0 ? (long ? word : word.slice(0, 2)) : word.slice(0, equals);
    const option = find(written);
    if (!option) throw usageError(spec, `unknown option ${written}`);
    const inline = equals >= 0
      ? word.slice(equals + 1)
      : long
      ? undefined
      : word.slice(2) || undefined;
    if (!option.value) {
      if (inline !== undefined) throw usageError(spec, `${written} takes no value`);
      options.set(option.name, []);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === "") {
      throw usageError(spec, `${written} needs ${option.value}`);
    }
    const before = option.multiple ? options.get(option.name) ?? [] : [];
    options.set(option.name, [...before, value]);
  }
  if (help) return new Args(positionals, options, true);
  const [min, max] = spec.arity;
  if (positionals.length < min || positionals.length > max) throw usageError(spec);
  return new Args(positionals, options);
}
