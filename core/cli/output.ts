/**
 * Writing a command's results to stdout.
 *
 * @module
 */

/** Writes all of `text` to stdout (a single writeSync may take only part of it). */
export function writeOut(text: string): void {
  let bytes = new TextEncoder().encode(text);
  while (bytes.length) bytes = bytes.subarray(Deno.stdout.writeSync(bytes));
}

/** Writes `text` and a newline to stdout. */
export function printLine(text: string | number): void {
  writeOut(`${text}\n`);
}
