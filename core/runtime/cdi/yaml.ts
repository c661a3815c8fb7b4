/**
 * YAML, read with the npm package `yaml`. A module of its own so that the
 * package is loaded (through `lazyImport`) only when a `.yaml` CDI spec is
 * read: loading an npm package costs a start Node compatibility set-up.
 *
 * @module
 */

import { parse, YAMLParseError } from "yaml";
import { PlashError } from "../../errors.ts";

/**
 * The value the YAML document `text` holds, read as YAML 1.1 as CDI's own Go
 * reader does (`fileMode: 0666` is octal); a syntax error is one line naming
 * `file` and where in it.
 *
 * @example
 * ```ts
 * import { parseYaml } from "./yaml.ts";
 *
 * parseYaml("cdiVersion: 0.6.0\nkind: vendor.com/device\n", "vendor.yaml");
 * // { cdiVersion: "0.6.0", kind: "vendor.com/device" }
 * ```
 */
export function parseYaml(text: string, file: string): unknown {
  try {
    return parse(text, { version: "1.1" });
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    const why = error.message.split("\n")[0].replace(/ at line \d+, column \d+:$/, "");
    const where = error.linePos ? `:${error.linePos[0].line}:${error.linePos[0].col}` : "";
    throw new PlashError(`${file}${where}: ${why}`, { cause: error });
  }
}
