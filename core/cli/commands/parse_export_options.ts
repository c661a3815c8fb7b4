/**
 * The options every export takes (`export-oci`, `export-docker-archive`,
 * `push`; declared in `archives.ts`), from their command line. `--base` is an image argument like any
 * other: an id, a name or a reference; `--base 0` is the whole image, as
 * without it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exportOptions } from "./parse_export_options.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const base = store.addLayer(0, store.makeTmpDir());
 * const given: Record<string, string> = { compress: "zstd", base: String(base) };
 * const options = await exportOptions(store, (name) => given[name]);
 * assert.equal(options.compression, "zstd");
 * assert.equal(options.base, base);
 * Deno.removeSync(store.root, { recursive: true });
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
