/**
 * Importing a tar archive (plain, gzip, zstd or xz) from a URL: the
 * tarball format, fetched (`import-url`, `--from-url`, LXC's rootfs).
 *
 * @module
 */

import { openUrl } from "../../net/open_url.ts";
import type { Store } from "../../store/store.ts";
import { importTar } from "./import_tar.ts";
import { interruptible } from "../interrupt.ts";
import { countBytes, startProgress } from "../progress.ts";

/**
 * Downloads the archive at `url` (http, https or file) into a new image on
 * the empty root and returns its id.
 * A progress display runs on a terminal. Any failure, SIGINT included,
 * leaves the store as it was: one-line error naming `url`, no image, no
 * name, no staging directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importUrl } from "./import_url.ts";
 * import { exportTarTo } from "./export_tar.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const layer = store.makeTmpDir();
 * Deno.writeTextFileSync(`${layer}/hello`, "hi\n");
 * const dir = Deno.makeTempDirSync();
 * const archive = `${dir}/rootfs.tar`;
 * await exportTarTo(store, store.addLayer(0, layer), archive);
 * const id = await importUrl(store, `file://${archive}`); // or http(s)://
 * assert.equal(Deno.readTextFileSync(`${store.layer(id)}/hello`), "hi\n");
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function importUrl(store: Store, url: string): Promise<number> {
  return interruptible(store, url, async (signal) => {
    const { body, size } = await openUrl(url, signal);
    const progress = startProgress(url);
    try {
      const file = new URL(url).pathname.split("/").pop() || url;
      return await importTar(store, countBytes(body, progress.item(file, size)), url);
    } finally {
      progress.finish();
    }
  });
}
