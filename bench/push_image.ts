/**
 * Benchmark helper: pushes an image made of the given gzip tar layers to a
 * registry on this machine, with the registry API (tests/support/oci_image.ts).
 *
 *   deno run -A bench/push_image.ts HOST NAME:TAG LAYER.tar.gz...
 *
 * @module
 */

import { createHash } from "node:crypto";
import { blob, image, pushImage } from "../tests/support/oci_image.ts";

const [host, name, ...files] = Deno.args;
const [repository, tag] = name.split(":");
const layers = await Promise.all(files.map(async (file) => {
  const bytes = Deno.readFileSync(file);
  // umoci checks the config's diff_ids: the digests of the uncompressed layers.
  const hash = createHash("sha256");
  const tar = (await Deno.open(file)).readable.pipeThrough(new DecompressionStream("gzip"));
  for await (const chunk of tar) hash.update(chunk);
  return {
    ...blob("application/vnd.oci.image.layer.v1.tar+gzip", bytes),
    diffId: `sha256:${hash.digest("hex")}`,
  };
}));
await pushImage(host, repository, tag, image(layers, { Cmd: ["bash"] }));
const total = layers.reduce((sum, layer) => sum + layer.size, 0);
console.log(`pushed ${host}/${name}: ${layers.length} layers, ${total} bytes compressed`);
