/**
 * Test support: adds COUNT layers (each on the previous one, every third on
 * the empty root) with map entries, as fast as it can, and prints each id.
 * Run many at once against one PLASH_DATA to race them.
 *
 * usage: deno run -A add_layers.ts COUNT NAME [FILES_PER_LAYER]
 */

import { openStore } from "../../core/store/data_dir.ts";
import { setMap } from "../../core/store/map.ts";
import { addLayer } from "../../core/store/publish.ts";
import { makeTmpDir } from "../../core/store/tmp.ts";

const [count, name, files = "1"] = Deno.args;
const data = openStore();
let parent = 0;
for (let i = 0; i < Number(count); i++) {
  const dir = makeTmpDir(data);
  for (let f = 0; f < Number(files); f++) {
    Deno.writeTextFileSync(`${dir}/file${f}`, `${name} ${i} ${f}\n`.repeat(100));
  }
  parent = addLayer(data, i % 3 === 0 ? 0 : parent, dir, { env: { LAYER: `${name}-${i}` } });
  setMap(data, `${name}-latest`, parent);
  console.log(parent);
}
