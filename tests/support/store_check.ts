/**
 * Test support: what a store must look like however many plash processes
 * used it and were killed, once `plash clean` ran after them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { idFromName } from "../../core/store/ids.ts";
import { mountsBelow } from "../../core/store/purge.ts";

/**
 * Asserts that the store at `data` is consistent: every index and map link
 * resolves to the node it names, every node has its index link (no image is
 * lost), ids are unique and not above the counter, `listed` (what `plash ls
 * --json` printed) is exactly the index, tmp/ is empty and nothing is mounted
 * below the store. Returns the image ids.
 */
export function assertStoreConsistent(data: string, listed: { id: number }[]): number[] {
  const counter = Number(Deno.readTextFileSync(`${data}/id_counter`) || "0");
  const nodes = new Map<number, string>();
  const walk = (dir: string, relative: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const id = idFromName(entry.name);
      if (id === undefined || !entry.isDirectory) continue;
      assert.ok(!nodes.has(id), `image ${id} has two nodes`);
      assert.ok(id <= counter, `image ${id} is above the counter ${counter}`);
      nodes.set(id, `${relative}/${id}`);
      walk(`${dir}/${entry.name}`, `${relative}/${id}`);
    }
  };
  walk(`${data}/layer/0`, "../layer/0");
  const index = new Map<number, string>();
  for (const entry of Deno.readDirSync(`${data}/index`)) {
    const id = idFromName(entry.name);
    assert.ok(id !== undefined && entry.isSymlink, `index/${entry.name} is not plash's`);
    if (id === 0) continue;
    const target = Deno.readLinkSync(`${data}/index/${entry.name}`);
    assert.equal(target, nodes.get(id), `index/${id} names its node`);
    assert.ok(Deno.statSync(`${data}/index/${id}/_data/root`).isDirectory);
    index.set(id, target);
  }
  for (const [id, node] of nodes) assert.equal(index.get(id), node, `image ${id} is in the index`);
  for (const entry of Deno.readDirSync(`${data}/map`)) {
    const target = Deno.readLinkSync(`${data}/map/${entry.name}`);
    assert.ok([...index.values()].includes(target), `map/${entry.name} -> ${target} resolves`);
  }
  const ids = [...index.keys()].sort((a, b) => a - b);
  assert.deepEqual(listed.map((image) => image.id), ids, "ls --json lists exactly the index");
  assert.deepEqual([...Deno.readDirSync(`${data}/tmp`)].map((entry) => entry.name), []);
  assert.deepEqual(mountsBelow(data), [], "nothing is left mounted in the store");
  return ids;
}
