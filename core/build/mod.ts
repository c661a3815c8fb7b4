/**
 * Builds: images made from macro words (`plash build`, Plashfiles), each
 * layer cached under a key of its base and its steps, and from Dockerfiles
 * (`plash bud`).
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { build } from "@plash/plash/build";
 * import { Store } from "@plash/plash/store";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const layer = store.makeTmpDir();
 * Deno.mkdirSync(`${layer}/bin`);
 * Deno.copyFileSync("/bin/busybox", `${layer}/bin/sh`);
 * const base = store.addLayer(0, layer);
 * const words = ["--from-id", String(base), "--run", "echo hi > /hello"];
 * const id = await build(store, words, { quiet: true });
 * assert.equal(await build(store, words, { quiet: true }), id); // cached: nothing runs
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

export { build, type BuildOptions } from "./builder.ts";
export { buildDockerfile, type DockerfileBuild } from "./dockerfile/build_dockerfile.ts";
// The store they take, and the types it names, for the reader of this entry's types.
export type {
  Healthcheck,
  ImageConfig,
  MapEntry,
  Store,
  StoredImage,
  StoreLayout,
} from "../store/mod.ts";
