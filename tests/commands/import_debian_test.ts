/**
 * A real distribution pulled from a registry: the debootstrap Debian
 * fixture as a one-layer image, then apt-get runs in it.
 */

import assert from "node:assert/strict";
import { sha256Stream } from "../../core/sha256.ts";
import { debianLayer, DEFAULT_LAYER } from "../../scripts/debian_layer.ts";
import { blob, image, type Layer, pushImage } from "../support/oci_image.ts";
import { TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";

/** Building the fixture needs root (debootstrap); without root it is used when built already. */
function fixtureReachable(): boolean {
  if (Deno.uid() === 0) return true;
  try {
    return Deno.statSync(DEFAULT_LAYER).isFile;
  } catch {
    return false;
  }
}

Deno.test({
  name: "a debootstrap Debian image pulled from a registry runs apt-get",
  ignore: !HAVE_REGISTRY || !fixtureReachable(),
}, async () => {
  await using registry = await TestRegistry.start();
  const path = await debianLayer();
  const bytes = Deno.readFileSync(path);
  // plash checks the config's diff_id: the digest of the layer gunzipped.
  const tar = (await Deno.open(path)).readable.pipeThrough(new DecompressionStream("gzip"));
  const debian: Layer = {
    ...blob("application/vnd.oci.image.layer.v1.tar+gzip", bytes),
    diffId: `sha256:${await sha256Stream(tar)}`,
  };
  await pushImage(registry.host, "debian", "bookworm", image([debian], { Cmd: ["bash"] }));
  using store = new TestStore();
  const id = await store.ok(["import-docker", `${registry.host}/debian:bookworm`]);
  assert.match(await store.ok(["run", id, "apt-get", "--version"]), /^apt \d/);
  assert.equal(await store.ok(["run", id, "cat", "/etc/debian_version"]).then((v) => v[0]), "1");
});
