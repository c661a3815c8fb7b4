/**
 * Test support: what the layers of an exported OCI image layout hold, entry
 * by entry (names, types, modes, owners, contents, link targets, whiteouts),
 * to compare two builds of one image. Times are left out: two builds are
 * never made in the same second.
 *
 * @module
 */

import assert from "node:assert/strict";
import { manifest, type ManifestEntry } from "./tar_fixtures.ts";
import { ok } from "./export_image.ts";

/** The entries of each layer of the single image in the OCI layout at `layout`, bottom first. */
export async function layerEntries(
  layout: string,
): Promise<Record<string, Omit<ManifestEntry, "mtime">>[]> {
  const blob = (digest: string) => `${layout}/blobs/sha256/${digest.slice("sha256:".length)}`;
  const index = JSON.parse(Deno.readTextFileSync(`${layout}/index.json`));
  assert.equal(index.manifests.length, 1, `one image in ${layout}`);
  const image = JSON.parse(Deno.readTextFileSync(blob(index.manifests[0].digest)));
  const layers = [];
  for (const [i, layer] of image.layers.entries()) {
    const dir = `${layout}.layer${i}`;
    Deno.mkdirSync(dir);
    try {
      await ok("tar", ["--numeric-owner", "-xpzf", blob(layer.digest), "-C", dir]);
      const entries = Object.entries(manifest(dir)).map(([name, { mtime: _, ...rest }]) =>
        [name, rest] as const
      );
      layers.push(Object.fromEntries(entries));
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  }
  return layers;
}
