/**
 * Quoting for the shell scripts the macros write.
 *
 * @module
 */

/**
 * `text` as one POSIX shell word: as it is when it holds only characters no
 * shell treats specially (so `apt-get install -y jq` stays readable), else in
 * single quotes.
 *
 * @example
 * ```ts
 * shellQuote("jq"); // "jq"
 * shellQuote("it's"); // "'it'\"'\"'s'"
 * ```
 */
export function shellQuote(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,.\/-]+$/.test(text)) return text;
  return singleQuote(text);
}

/**
 * `text` in single quotes, always, as the original plash quoted a package
 * macro's arguments (`apt-get install -y 'jq'`).
 *
 * @example
 * ```ts
 * singleQuote("jq"); // "'jq'"
 * singleQuote("it's"); // "'it'\"'\"'s'"
 * ```
 */
export function singleQuote(text: string): string {
  return `'${text.replaceAll("'", `'"'"'`)}'`;
}
