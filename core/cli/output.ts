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

/**
 * `rows` as two aligned columns: each left cell padded to the longest one,
 * two spaces, then the right cell; `indent` before each line.
 *
 * @example
 * ```ts
 * import { twoColumns } from "./output.ts";
 *
 * twoColumns([["run", "run a command"], ["import-docker-archive", "import docker save output"]]);
 * // ["run                    run a command", "import-docker-archive  import docker save output"]
 * ```
 */
export function twoColumns(rows: [string, string][], indent = ""): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`.trimEnd());
}
