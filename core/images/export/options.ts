/**
 * The options every export takes (`export-oci`, `export-docker-archive`,
 * `push`), from their command-line text.
 *
 * @example
 * ```ts
 * import { exportOptions } from "./options.ts";
 *
 * exportOptions({ compress: "zstd", base: "3" }); // { compression: "zstd", base: 3, ... }
 * ```
 *
 * @module
 */

import { parseImageId } from "../../store/ids.ts";
import { type OutputCompression, parseCompression } from "../../tar/compress.ts";
import { wantedPlatform } from "../oci/platform.ts";
import type { ExportOptions } from "./export_image.ts";

/** The options as given: `--base`, `--compress`, `--arch`, `--variant`. */
export interface ExportOptionText {
  base?: string;
  compress?: string;
  arch?: string;
  variant?: string;
}

/** `text` as {@linkcode ExportOptions}; bad values fail in one line (exit 2). */
export function exportOptions(
  text: ExportOptionText,
  compression: OutputCompression = "gzip",
): ExportOptions {
  return {
    base: text.base === undefined ? undefined : parseImageId(text.base),
    compression: parseCompression(text.compress, compression),
    platform: wantedPlatform(text.arch, text.variant),
  };
}
