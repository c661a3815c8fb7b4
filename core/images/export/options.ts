/**
 * The options every export takes (`export-oci`, `export-docker-archive`,
 * `push`), from their command-line text.
 *
 * @example
 * ```ts
 * import { exportOptions } from "./options.ts";
 *
 * const given: Record<string, string> = { compress: "zstd", base: "3" };
 * exportOptions((name) => given[name]); // { compression: "zstd", base: 3, ... }
 * ```
 *
 * @module
 */

import { parseImageId } from "../../store/ids.ts";
import { type OutputCompression, parseCompression } from "../../tar/compress.ts";
import { wantedPlatform } from "../oci/platform.ts";
import type { ExportOptions } from "./export_image.ts";

/**
 * The options `value` gives (the value of `--base`, `--compress`, `--arch`
 * and `--variant`, by name) as {@linkcode ExportOptions}; bad values fail in
 * one line (exit 2). Layers are compressed with `compression` by default.
 */
export function exportOptions(
  value: (name: string) => string | undefined,
  compression: OutputCompression = "gzip",
): ExportOptions {
  const base = value("base");
  return {
    base: base === undefined ? undefined : parseImageId(base),
    compression: parseCompression(value("compress"), compression),
    platform: wantedPlatform(value("arch"), value("variant")),
  };
}
