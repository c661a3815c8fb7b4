/**
 * TOML, read with the npm package smol-toml. A module of its own so that the
 * package is loaded (through `lazyImport`) only when there is a file to read:
 * loading an npm package costs a start Node compatibility set-up.
 *
 * @module
 */

import { parse, TomlError } from "smol-toml";
import { PlashError } from "../../errors.ts";

/**
 * The table `text` holds; a syntax error is one line naming `file` and
 * where in it.
 *
 * @example
 * ```ts
 * import { parseToml } from "./toml.ts";
 *
 * parseToml('unqualified-search-registries = ["docker.io"]', "registries.conf");
 * // { "unqualified-search-registries": ["docker.io"] }
 * ```
 */
export function parseToml(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const why = error.message.split("\n")[0].replace(/^Invalid TOML document: /, "");
    throw new PlashError(`${file}:${error.line}:${error.column}: ${why}`, { cause: error });
  }
}
