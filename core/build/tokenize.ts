/**
 * The build language's reader: command-line words or Plashfile lines into
 * macro calls.
 *
 * Each item is read on its own: one that starts with `-` is split into words,
 * the first naming the macro (`--run`) or several single-letter macros at once
 * (`-Ax` is `-A` then `-x`), the others being arguments whatever they look
 * like. Any other item is one argument of the macro before it, spaces and
 * all; an empty item is skipped. `--\ TEXT` is the argument `TEXT` (a way to
 * start one with a dash) and a lone `--\` is the empty argument. `--#` (or `-#`)
 * starts a comment: a macro that ignores its arguments.
 *
 * @example
 * ```ts
 * tokenize(["-Ax", "echo hi", "--env LANG TERM"]);
 * // [{ name: "-A", args: [] }, { name: "-x", args: ["echo hi"] },
 * //  { name: "--env", args: ["LANG", "TERM"] }]
 * ```
 *
 * @module
 */

import { PlashError } from "../errors.ts";

/** One use of a macro: its name as written (`--run`, `-x`) and its arguments. */
export interface MacroCall {
  /** The macro's name as written: `--run`, `-x`. */
  name: string;
  /** Its arguments, in order. */
  args: string[];
}

/** The name every comment is read as, whatever follows `--#` (or `-#`) in its word. */
const COMMENT = "--#";

/** Whether `word` starts a comment: `--#`, or `-#` as the original plash also took it. */
function isComment(word: string): boolean {
  return word.startsWith(COMMENT) || word.startsWith("-#");
}

/** Reads command-line words (or the items of `--eval-*`) as macro calls. */
export function tokenize(items: string[]): MacroCall[] {
  const calls: MacroCall[] = [];
  const addArg = (arg: string) => {
    const last = calls.at(-1);
    if (!last) throw new PlashError(`expected a macro (like --run) before the argument: ${arg}`);
    last.args.push(arg);
  };
  for (const item of items) {
    if (item === "--\\") addArg("");
    else if (item.startsWith("--\\ ")) addArg(item.slice(4));
    else if (item.startsWith("-") && item !== "-") {
      const [first, ...rest] = item.trim().split(/\s+/);
      calls.push(...macroNames(first).map((name) => ({ name, args: [] })));
      rest.forEach(addArg);
    } else if (item !== "") addArg(item);
  }
  return calls;
}

/** The macros one dashed word names: `--name`, or one per letter of `-abc`. */
function macroNames(word: string): string[] {
  if (isComment(word)) return [COMMENT];
  if (word.startsWith("--")) return [word];
  return [...word.slice(1)].map((letter) => `-${letter}`);
}

/**
 * A Plashfile's lines, ready for {@linkcode tokenize}: without the `#!` line
 * and without comment lines, so that a comment may stand between the lines of
 * one macro's arguments.
 */
export function plashfileLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.startsWith("#!")) lines.shift();
  return lines.filter((line) => !isComment(line));
}
