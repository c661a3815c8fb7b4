/**
 * The error users see: `plash error: <message>` on one line.
 *
 * @module
 */

/** A failure the user can act on; `exitCode` is what plash exits with. */
export class PlashError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "PlashError";
    this.exitCode = exitCode;
  }
}

/** The one line plash prints for any error. */
export function errorLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return `plash error: ${text.split("\n")[0]}`;
}
