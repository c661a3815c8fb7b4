/**
 * plash as a library: the image store, builds, containers and images in and
 * out, as the `plash` command uses them. This entry holds all of them; each
 * concept is also an entry of its own: `@plash/plash/store`,
 * `@plash/plash/build`, `@plash/plash/runtime` and `@plash/plash/images`.
 *
 * A {@linkcode Store} is a data directory of images. Images are numbers; 0 is
 * the empty root every image stands on, and an image is its layer on its
 * parent. The functions take the store they act on: nothing reads
 * `$PLASH_DATA` but {@linkcode Store.open} and {@linkcode Store.create} when
 * they are given no directory. Everything that mounts (running, creating,
 * building) needs root, as the kernel does; without it, {@linkcode runImage}
 * runs the container in a user namespace and {@linkcode runInUserNamespace}
 * runs a plash command in one. What a user can cause throws a
 * {@linkcode PlashError}, whose message is one line.
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { build, createImage, exportTar, importTar, Store } from "@plash/plash";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`); // `plash init`
 * const layer = store.makeTmpDir();
 * Deno.mkdirSync(`${layer}/bin`);
 * Deno.copyFileSync("/bin/busybox", `${layer}/bin/sh`); // a static shell
 * const base = store.addLayer(0, layer);
 * const built = await build(store, ["--from-id", String(base), "--run", "echo built > /built"], {
 *   quiet: true,
 * });
 * const command = ["sh", "-c", "cat /built > /copy"];
 * const changed = await createImage(store, built, command, { what: "create" });
 * const copy = await importTar(store, exportTar(store, changed)); // one layer of both
 * assert.equal(Deno.readTextFileSync(`${store.layer(copy)}/copy`), "built\n");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

export * from "./core/store/mod.ts";
export * from "./core/build/mod.ts";
export * from "./core/runtime/mod.ts";
export * from "./core/images/mod.ts";
export { PlashError, type PlashErrorOptions } from "./core/errors.ts";
// Images made through the library get checkpoints as the command's do (core/store/checkpoint.ts).
import "./core/tree/flatten.ts";
