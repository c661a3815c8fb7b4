import assert from "node:assert/strict";
import { CHECKPOINT_EVERY, mountedLayers } from "../../core/store/checkpoint.ts";
import { Store } from "../../core/store/store.ts";
import "../../core/tree/flatten.ts"; // as plash's own modules that publish images do

const K = CHECKPOINT_EVERY;

/** A store with a chain of `depth` one-file layers; the store and the chain. */
function deepStore(depth: number): { store: Store; chain: number[] } {
  const store = Store.create(Deno.makeTempDirSync());
  let id = 0;
  for (let i = 1; i <= depth; i++) {
    const dir = store.makeTmpDir();
    Deno.writeTextFileSync(`${dir}/layer${i}`, `${i}\n`);
    id = store.addLayer(id, dir);
  }
  return { store, chain: store.chain(id) };
}

/** The depths of the images of `chain` that have a checkpoint. */
function checkpointed(store: Store, chain: number[]): number[] {
  return chain.flatMap((id, depth) => {
    try {
      return Deno.statSync(store.checkpoint(id)).isDirectory ? [depth] : [];
    } catch {
      return [];
    }
  });
}

Deno.test("an image gets a checkpoint at every K-th depth, and only there", () => {
  const { store, chain } = deepStore(2 * K + 3);
  try {
    assert.deepEqual(checkpointed(store, chain), [K, 2 * K]);
    const names = [...Deno.readDirSync(store.checkpoint(chain[2 * K]))].map((entry) => entry.name);
    assert.deepEqual(names.sort(), Array.from({ length: 2 * K }, (_, i) => `layer${i + 1}`).sort());
  } finally {
    Deno.removeSync(store.root, { recursive: true });
  }
});

Deno.test("a mount stacks the layers above the nearest checkpoint and the checkpoint", () => {
  const { store, chain } = deepStore(2 * K + 3);
  try {
    const top = chain.at(-1)!;
    const mounted = mountedLayers(store, chain);
    assert.deepEqual(mounted.layers, [
      ...store.layersOf(chain).slice(0, 3),
      store.checkpoint(chain[2 * K]),
    ]);
    assert.deepEqual(mounted.nested, store.nestedLayers(chain, true));
    assert.equal(`${store.indexLink(chain[2 * K])}/${mounted.nested.bottom}`, mounted.layers[3]);
    assert.equal(mounted.nested.top, store.indexLink(top));
    const atCheckpoint = mountedLayers(store, chain.slice(0, K + 1));
    assert.deepEqual(atCheckpoint.layers, [store.checkpoint(chain[K])]);
    const shallow = chain.slice(0, K);
    assert.deepEqual(mountedLayers(store, shallow), {
      layers: store.layersOf(shallow),
      nested: store.nestedLayers(shallow),
    });
    // Without the nearest checkpoint, the one below serves.
    Deno.removeSync(store.checkpoint(chain[2 * K]), { recursive: true });
    assert.deepEqual(mountedLayers(store, chain).layers, [
      ...store.layersOf(chain).slice(0, K + 3),
      store.checkpoint(chain[K]),
    ]);
  } finally {
    Deno.removeSync(store.root, { recursive: true });
  }
});

Deno.test("PLASH_CHECKPOINTS=off makes none and mounts none", () => {
  const { store, chain } = deepStore(K + 1);
  try {
    Deno.env.set("PLASH_CHECKPOINTS", "off");
    assert.deepEqual(mountedLayers(store, chain).layers, store.layersOf(chain));
    const { store: other, chain: none } = deepStore(K);
    assert.deepEqual(checkpointed(other, none), []);
    Deno.removeSync(other.root, { recursive: true });
  } finally {
    Deno.env.delete("PLASH_CHECKPOINTS");
    Deno.removeSync(store.root, { recursive: true });
  }
});
