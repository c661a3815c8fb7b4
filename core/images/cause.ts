/** Why an operation failed, in one line. @module */

/**
 * The first line of `error`'s message, followed by its `cause` when it has
 * one: `fetch` says only "fetch failed" and puts the reason (refused, DNS,
 * TLS) there.
 */
export function causeOf(error: unknown): string {
  const text = (value: unknown) =>
    (value instanceof Error ? value.message : String(value)).split("\n")[0];
  const cause = error instanceof Error && error.cause !== undefined ? `: ${text(error.cause)}` : "";
  return text(error) + cause;
}
