/**
 * Every path inside a store, from its data directory: nothing else builds
 * one (`tests/structure_test.ts` checks).
 *
 * ```
 * id_counter           the last id handed out
 * index/<id>           -> ../layer/0/<parent>/.../<id>: each image's node
 * layer/0/.../<id>/_data/root         the image's layer
 * layer/0/.../<id>/_data/config.json  what the image declares
 * layer/0/.../<id>/_data/notes/<name>.json  what plash notes about it
 * layer/0/.../<id>/_data/checkpoint   the whole chain flattened (hard links; see checkpoint.ts)
 * map/<key>            -> ../layer/...: names and cache entries
 * tmp/plashtmp_*       staging, owned by a process (see tmp.ts)
 * tmp/plashlock_*      named locks (see lock.ts)
 * tmp/plashwarm_*      warm copies of images for the mount-less mode (see warm_pool.ts)
 * mnt/                 a run's writable tmpfs (in the run's own namespace)
 * bud-cache/<name>     `plash bud`'s cache mounts (RUN --mount=type=cache)
 * mountless           says that plash runs without mounts here (said once)
 * ```
 *
 * An image's node sits inside its parent's, so the index link of an image
 * names all of its ancestors: `index/9 -> ../layer/0/1/5/9` is image 9 on 5
 * on 1 on the empty root 0.
 *
 * @module
 */

import type { PrivateKind } from "./data_dir.ts";

/** The name prefix of every temporary directory plash makes in `tmp/`. */
export const TMP_PREFIX = "plashtmp_";
/** The name prefix of every lock file in `tmp/`. */
export const LOCK_PREFIX = "plashlock_";
/** The prefix of a warm copy's name in tmp/ (`warm_pool.ts`). */
export const WARM_PREFIX = "plashwarm_";

/** Where a node keeps its layer, from the node directory. */
const NODE_LAYER = "_data/root";
/** Where a node keeps its checkpoint, from the node directory. */
const NODE_CHECKPOINT = "_data/checkpoint";

/**
 * What plash makes at the top of a data directory, the caller's and private,
 * in the order purge removes it: the id counter first, so that a purge cut
 * short leaves a store that every command refuses until `plash init`, never a
 * half store that looks whole. (What `init` makes last, `index/0`, says that
 * a store is whole.)
 */
export const TOP_ENTRIES: readonly [name: string, kind: PrivateKind, mode: number][] = [
  ["id_counter", "file", 0o600],
  ["index", "directory", 0o700],
  ["map", "directory", 0o700],
  ["layer", "directory", 0o700],
  ["tmp", "directory", 0o700],
  ["mnt", "directory", 0o700],
];

/** What plash makes at the top of a data directory only when needed: purge removes it last. */
export const LATER_ENTRIES: readonly string[] = ["bud-cache", "mountless"];

/** The data directory of a node (an image's directory in `layer/`, or a link to one). */
export function nodeDataDir(node: string): string {
  return `${node}/_data`;
}

/** The layer directory of node `node`. */
export function nodeLayerDir(node: string): string {
  return `${node}/${NODE_LAYER}`;
}

/** The checkpoint directory of node `node` (see `checkpoint.ts`), which may not exist. */
export function nodeCheckpointDir(node: string): string {
  return `${node}/${NODE_CHECKPOINT}`;
}

/** The config file of node `node`. */
export function nodeConfigFile(node: string): string {
  return `${node}/_data/config.json`;
}

/** The file of note `name` of node `node`. */
export function nodeNoteFile(node: string, name: string): string {
  return `${node}/_data/notes/${name}.json`;
}

/**
 * The paths of the store at `root`; see the module documentation. A
 * {@linkcode Store} is one, with what reads and writes them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StoreLayout } from "./layout.ts";
 *
 * const layout = new StoreLayout("/srv/plash");
 * assert.equal(layout.tmpRoot, "/srv/plash/tmp");
 * ```
 */
export class StoreLayout {
  /** The data directory: an absolute path. */
  readonly root: string;

  /** The layout of the store at `root`, an absolute path. */
  constructor(root: string) {
    this.root = root;
  }

  /** The entry `name` of {@linkcode TOP_ENTRIES}. */
  topEntry(name: string): string {
    return `${this.root}/${name}`;
  }

  /** The file of the last id handed out. */
  get counter(): string {
    return `${this.root}/id_counter`;
  }

  /** The directory of temporary directories (`clean` empties it of the dead's). */
  get tmpRoot(): string {
    return `${this.root}/tmp`;
  }

  /** The entry `name` of {@linkcode tmpRoot}. */
  tmpEntry(name: string): string {
    return `${this.tmpRoot}/${name}`;
  }

  /** The lock file of the lock whose name hashes to `hash`. */
  lockFile(hash: string): string {
    return this.tmpEntry(`${LOCK_PREFIX}${hash}`);
  }

  /** The directory a run mounts its writable tmpfs on, in its own mount namespace. */
  get mountRoot(): string {
    return `${this.root}/mnt`;
  }

  /** The map directory: one link per key (see `map.ts`). */
  get mapRoot(): string {
    return `${this.root}/map`;
  }

  /** The map link whose file name is `name` (see `map.ts` for the names of keys). */
  mapLink(name: string): string {
    return `${this.mapRoot}/${name}`;
  }

  /** The index directory: one link per image. */
  get indexRoot(): string {
    return `${this.root}/index`;
  }

  /** The index link of image `id`, which may not exist. */
  indexLink(id: number): string {
    return this.indexEntry(String(id));
  }

  /** The entry `name` of {@linkcode indexRoot}, an image's link or anything else found there. */
  indexEntry(name: string): string {
    return `${this.indexRoot}/${name}`;
  }

  /** The node directory of the image whose chain (ids, the empty root 0 first) is `chain`. */
  nodeOf(chain: number[]): string {
    return `${this.root}/layer/${chain.join("/")}`;
  }

  /**
   * What index and map links to the node of `chain` hold: a path relative to
   * their directory, so that the store can be moved.
   */
  nodeLink(chain: number[]): string {
    return `../layer/${chain.join("/")}`;
  }

  /** The layer directory of image `id`, reached through its index link (no readlink). */
  layer(id: number): string {
    return nodeLayerDir(this.indexLink(id));
  }

  /** The checkpoint directory of image `id`, through its index link; it may not exist. */
  checkpoint(id: number): string {
    return nodeCheckpointDir(this.indexLink(id));
  }

  /** The layer directories of the image whose chain is `chain`, the top (newest) first. */
  layersOf(chain: number[]): string[] {
    return chain.toReversed().map((each) => this.layer(each));
  }

  /**
   * The layers of `chain` as nested directories (see `OverlaySpec.nested`):
   * the top image's node, through its index link, and where a node keeps its
   * layer; each parent's node is the parent directory of its child's. With
   * `checkpoint`, the bottom directory is that node's checkpoint instead.
   */
  nestedLayers(
    chain: number[],
    checkpoint = false,
  ): { top: string; layer: string; bottom?: string } {
    const top = this.indexLink(chain[chain.length - 1]);
    return checkpoint
      ? { top, layer: NODE_LAYER, bottom: NODE_CHECKPOINT }
      : { top, layer: NODE_LAYER };
  }

  /** The directory of `plash bud`'s cache mount called `name` (a file name). */
  budCacheDir(name: string): string {
    return `${this.topEntry("bud-cache")}/${name}`;
  }

  /** The file that says plash runs without mounts on this store (made once, to say it once). */
  get mountlessMarker(): string {
    return this.topEntry("mountless");
  }
}
