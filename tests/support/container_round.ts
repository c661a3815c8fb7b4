/**
 * Test support: plash's whole round inside a container (init, import-tar, the
 * two-layer build of {@linkcode BUILD}, create, run, export-oci), as a shell
 * script, and what it must have left: the outputs of its runs, a store whose
 * layers no run wrote, and exported layers with the same entries as the same
 * build made on the host with mounts.
 *
 * @example
 * ```ts
 * const script = roundScript("plash", "/work/round", "tar -C /busybox -c .");
 * // ... run `sh -c script` in a container with /work bound to `work` ...
 * await assertRound(`${work}/round`, await hostLayers());
 * ```
 *
 * @module
 */

import assert from "node:assert/strict";
import { shellQuote } from "../../core/build/shell_quote.ts";
import { sha256Hex } from "../../core/sha256.ts";
import { manifest } from "./tar_fixtures.ts";
import { BUILD } from "./export_image.ts";
import { layerEntries } from "./oci_layers.ts";
import { TestStore } from "./plash.ts";

/** The entries of each exported layer of an image, bottom first. */
type Layers = Awaited<ReturnType<typeof layerEntries>>;

/**
 * The round as shell lines: `plash` is the command (a shell word), `dir` the
 * container's directory of the round's store and outputs, `tar` a command
 * writing the busybox tree's tar to stdout.
 */
export function roundScript(plash: string, dir: string, tar: string): string {
  return [
    "set -e",
    `mkdir -p ${dir}`,
    `export PLASH_DATA=${dir}/data`,
    `${plash} init`,
    `base=$(${tar} | ${plash} import-tar)`,
    `id=$(${plash} build -q --from "$base" ${BUILD.map(shellQuote).join(" ")})`,
    `made=$(${plash} create "$id" sh -c 'echo made > /made')`,
    `${plash} run "$made" cat /made > ${dir}/made`,
    // In-place writes of an image file, and a new file: none of it may stay.
    `${plash} run "$id" sh -c 'echo more >> /srv/hello; sed -i s/hello/changed/ /srv/hello; ` +
    `echo new > /new; cat /srv/hello' > ${dir}/changed`,
    `${plash} run "$id" sh -c 'cat /srv/hello; ls /new 2>&1 || true' > ${dir}/after`,
    `${plash} export-oci "$id" ${dir}/layout > /dev/null`,
  ].join("\n");
}

/** The exported layers of {@linkcode BUILD} on busybox, built on the host with mounts. */
export async function hostLayers(): Promise<Layers> {
  using store = new TestStore();
  const base = await store.busybox();
  // From /: a build step shows its directory where the image lacks it, and a mount point made
  // under a directory the image has (the checkout under /tmp) leaves that directory in the layer.
  const built = await store.plash(["build", "-q", "--from", base, ...BUILD], { cwd: "/" });
  assert.equal(built.code, 0, built.stderr);
  const id = built.stdout.trim();
  await store.ok(["export-oci", id, `${store.data}.layout`]);
  return await layerEntries(`${store.data}.layout`);
}

/** Asserts what the round of {@linkcode roundScript} left in `dir` (the host's path of it). */
export async function assertRound(dir: string, onHost: Layers): Promise<void> {
  const read = (name: string) => Deno.readTextFileSync(`${dir}/${name}`);
  assert.equal(read("made"), "made\n");
  assert.equal(read("changed"), "changed\nmore\n");
  assert.equal(read("after"), "hello\nls: /new: No such file or directory\n");
  const inContainer = await layerEntries(`${dir}/layout`);
  assert.equal(inContainer.length, 3, "busybox and two build layers");
  assert.deepEqual(inContainer, onHost);
  // What the comparison must cover: the second layer deleted a file and replaced a directory.
  for (const name of ["srv/.wh.gone", "srv/cache/.wh..wh..opq"]) assert.ok(inContainer[2][name]);
  // And its layer directories: the runs wrote none of them.
  const hellos = Object.entries(manifest(`${dir}/data/layer`))
    .filter(([path]) => path.endsWith("/_data/root/srv/hello"));
  // Made by the first layer, copied up by the second (which links it).
  assert.equal(hellos.length, 2);
  const hello = await sha256Hex(new TextEncoder().encode("hello\n"));
  for (const [path, entry] of hellos) assert.equal(entry.sha256, hello, path);
  // Nothing but warm copies, which mount-less runs pool for the next ones.
  assert.deepEqual(
    [...Deno.readDirSync(`${dir}/data/tmp`)]
      .filter((e) => e.isDirectory && !e.name.startsWith("plashwarm_")),
    [],
  );
}
