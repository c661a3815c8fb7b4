/**
 * The options every export takes (`export-oci`, `export-docker-archive`,
 * `push`; declared in `archives.ts`), from their command line. `--base` is an image argument like any
 * other: an id, a name or a reference; `--base 0` is the whole image, as
 * without it.
 *
 * @example
 * ```ts
 * import { exportOptions } from "./parse_export_options.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const given: Record<string, string> = { compress: "zstd", base: "3" };
 * await exportOptions(Store.open(), (name) => given[name]); // { compression: "zstd", base: 3, ... }
 * ```
 *
 * @module
 */

import type { ExportOptions } from "../../images/store_image.ts";
import { wantedPlatform } from "../../images/oci/platform.ts";
import { type OutputCompression, parseCompression } from "../../tar/compress.ts";
import type { Store } from "../../store/store.ts";
import { imageArg } from "../image_arg.ts";

/**
 * The options `value` gives (the value of `--base`, `--compress`, `--arch`
 * and `--variant`, by name) as {@linkcode ExportOptions}; bad values fail in
 * one line. Layers are compressed with `compression` by default.
 */
export async function exportOptions(
  store: Store,
  value: (name: string) => string | undefined,
  compression: OutputCompression = "gzip",
): Promise<ExportOptions> {
  const base = value("base");
  return {
    base: base === undefined ? undefined : await imageArg(store, base, { allowRoot: true }),
    compression: parseCompression(value("compress"), compression),
    platform: wantedPlatform(value("arch"), value("variant")),
  };
}
