/**
 * Argument checks shared by the commands.
 *
 * @module
 */

import { findCommand } from "../commands.ts";
import { PlashError } from "../errors.ts";

/** Throws the command's usage line (exit 2) unless `args` has between `min` and `max` items. */
export function expectArgs(name: string, args: string[], min: number, max = min): void {
  if (args.length < min || args.length > max) throw usageError(name);
}

/** The error for a command called the wrong way. */
export function usageError(name: string): PlashError {
  const command = findCommand(name);
  return new PlashError(`usage: plash ${name} ${command?.usage ?? ""}`.trimEnd(), 2);
}

/** Writes all of `text` to stdout (a single writeSync may take only part of it). */
export function writeOut(text: string): void {
  let bytes = new TextEncoder().encode(text);
  while (bytes.length) bytes = bytes.subarray(Deno.stdout.writeSync(bytes));
}

/** Writes `text` and a newline to stdout. */
export function printLine(text: string | number): void {
  writeOut(`${text}\n`);
}
