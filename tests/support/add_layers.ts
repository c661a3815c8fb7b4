/**
 * Test support: adds COUNT layers (each on the previous one, every third on
 * the empty root) with map entries, as fast as it can, and prints each id.
 * Run many at once against one PLASH_DATA to race them.
 *
 * usage: deno run -A add_layers.ts COUNT NAME [FILES_PER_LAYER]
 */

import { Store } from "../../core/store/store.ts";

const [count, name, files = "1"] = Deno.args;
const store = Store.open();
let parent = 0;
for (let i = 0; i < Number(count); i++) {
  const dir = store.makeTmpDir();
  for (let f = 0; f < Number(files); f++) {
    Deno.writeTextFileSync(`${dir}/file${f}`, `${name} ${i} ${f}\n`.repeat(100));
  }
  parent = store.addLayer(i % 3 === 0 ? 0 : parent, dir, { env: { LAYER: `${name}-${i}` } });
  store.setMap(`${name}-latest`, parent);
  console.log(parent);
}
