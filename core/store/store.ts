/**
 * A plash store: the store object, thin wrappers over its layout
 * (`layout.ts`, every path in it), its data directory (`data_dir.ts`) and the
 * modules beside it that act on it.
 *
 * A store is its owner's alone. The data directory and the entries at its
 * top are the caller's, no symbolic links, and mode 0700 (the counter 0600),
 * so nobody else reaches the setuid files of root's images or plants a link
 * that root's plash would follow (`tmp -> /victim`, and `clean` would empty
 * /victim). Opening a store checks that with one lstat a path, before
 * anything acts on it, refusing anything else in one line: no walks, so
 * `plash run` pays a few microseconds.
 *
 * @example
 * ```ts
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const layer = store.makeTmpDir();
 * Deno.writeTextFileSync(`${layer}/hello`, "hi\n");
 * const id = store.addLayer(0, layer);
 * store.setMap("hello", id);
 * console.log(store.node(id), store.chain(id)); // ".../layer/0/1", [0, 1]
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 *
 * @module
 */

import { fileStatus } from "../../ffi/stat.ts";
import { exists } from "../../ffi/sys.ts";
import { NoImageError, PlashError, wrap } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { absolutePath, dataDir, ensurePrivate } from "./data_dir.ts";
import { allocateId, chainOfLink, idFromName } from "./ids.ts";
import { type ImageConfig, readConfig, readConfigFile } from "./image_config.ts";
import { nodeDataDir, nodeLayerDir, StoreLayout, TOP_ENTRIES } from "./layout.ts";
import { deleteMap, getMap, mapEntries, type MapEntry, setMap } from "./map.ts";
import { publishLayer, publishNode } from "./publish.ts";

export { MAX_DEPTH } from "./publish.ts";
import { makeTmpDir } from "./tmp.ts";

/**
 * An image as a run reads it: its chain (0 first, the image last) and its config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Store, type StoredImage } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir(), { cmd: ["sh"] });
 * const image: StoredImage = store.image(id);
 * assert.deepEqual(image.chain, [0, id]);
 * assert.deepEqual(image.config.cmd, ["sh"]);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export interface StoredImage {
  /** The ids of the image and its ancestors, the empty root 0 first. */
  chain: number[];
  /** What the image declares for its runs. */
  config: ImageConfig;
}

/**
 * A data directory of images; see `layout.ts` for its layout.
 *
 * @example
 * ```ts
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const layer = store.makeTmpDir();
 * Deno.writeTextFileSync(`${layer}/hello`, "hi\n");
 * const id = store.addLayer(0, layer);
 * store.setMap("hello", id);
 * console.log(store.node(id), store.chain(id)); // ".../layer/0/1", [0, 1]
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export class Store extends StoreLayout {
  private constructor(root: string) {
    super(root);
  }

  /**
   * The store at `root` (default: `$PLASH_DATA`, else `~/.plashdata`), which
   * `plash init` (or {@linkcode Store.create}) made. A data directory that
   * is not there is refused, as the original plash refused it ("run `plash
   * init`"), so that a mistyped PLASH_DATA makes nothing.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Store } from "./store.ts";
   *
   * const dir = Deno.makeTempDirSync();
   * assert.throws(() => Store.open(dir)); // run `plash init`: not a plash data directory yet
   * Store.create(dir);
   * const store = Store.open(dir); // without a directory: $PLASH_DATA
   * Deno.removeSync(store.root, { recursive: true });
   * ```
   */
  static open(root: string = dataDir()): Store {
    const store = new Store(absolutePath(root));
    if (!store.#checkPrivate()) throw store.#notInitialized();
    return store;
  }

  /**
   * The store at `root` (default as {@linkcode Store.open}), created as
   * `plash init` creates it when it is not there yet.
   *
   * @example
   * ```ts
   * import { Store } from "./store.ts";
   *
   * const store = Store.create(Deno.makeTempDirSync()); // without a directory: $PLASH_DATA
   * Deno.removeSync(store.root, { recursive: true });
   * ```
   */
  static create(root: string = dataDir()): Store {
    const store = new Store(absolutePath(root));
    store.init();
    return store;
  }

  /** Whether the store is there, whole, and the caller's (else it throws). */
  isInitialized(): boolean {
    return this.#checkPrivate();
  }

  #notInitialized(): PlashError {
    let exists = true;
    try {
      Deno.lstatSync(this.root);
    } catch {
      exists = false;
    }
    const why = exists ? "not a plash data directory yet" : "No such file or directory";
    return new PlashError(`run \`plash init\`: ${this.root}: ${why}`);
  }

  /**
   * Refuses a data directory that is not the caller's own (see the module)
   * and makes its mode private; returns whether the store is whole (else it
   * needs {@linkcode init}). One lstat a path: this runs before every command.
   */
  #checkPrivate(): boolean {
    if (!ensurePrivate(this.root, this.root, "directory", 0o700)) return false;
    let whole = true;
    for (const [name, kind, mode] of TOP_ENTRIES) {
      // Every path is checked, also after a missing one: none may be a link.
      if (!ensurePrivate(this.root, this.topEntry(name), kind, mode)) whole = false;
    }
    if (!whole) return false;
    try {
      return fileStatus(this.indexLink(0), { follow: false }) !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * The store at `root` (default as {@linkcode Store.open}) as it is, made
   * or not: for commands that must not create one (`purge`, `doctor`).
   *
   * @example
   * ```ts
   * import { Store } from "./store.ts";
   *
   * Store.at("/nonexistent").root; // "/nonexistent"
   * ```
   */
  static at(root: string = dataDir()): Store {
    return new Store(absolutePath(root));
  }

  /**
   * Refuses the data directory unless it is the caller's own and no link,
   * and makes it mode 0700; false when it is not there. For commands that
   * act on a store without opening it (`purge`).
   *
   * @example
   * ```ts
   * import { Store } from "./store.ts";
   *
   * Store.at("/nonexistent").claimRoot(); // false
   * ```
   */
  claimRoot(): boolean {
    return ensurePrivate(this.root, this.root, "directory", 0o700);
  }

  /**
   * Creates what the store lacks, and makes what is there private (the
   * caller's, mode 0700), refusing what another user owns or a symbolic link
   * before acting on it; safe to run again and concurrently.
   */
  init(): void {
    const root = this.root;
    if (!ensurePrivate(root, root, "directory", 0o700)) {
      try {
        Deno.mkdirSync(root, { recursive: true, mode: 0o700 });
      } catch (error) {
        throw wrap(error, `creating the data directory ${root}`);
      }
      ensurePrivate(root, root, "directory", 0o700); // also what a concurrent init made
    }
    for (const [name, kind, mode] of TOP_ENTRIES) {
      const path = this.topEntry(name);
      if (ensurePrivate(root, path, kind, mode)) continue;
      try {
        if (kind === "directory") Deno.mkdirSync(path, { mode });
        else Deno.writeFileSync(path, new Uint8Array(), { createNew: true, mode });
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) {
          throw wrap(error, `creating the data directory ${root}`);
        }
      }
      ensurePrivate(root, path, kind, mode); // the umask may have taken bits
    }
    Deno.mkdirSync(nodeLayerDir(this.nodeOf([0])), { recursive: true, mode: 0o755 });
    try {
      Deno.symlinkSync(this.nodeLink([0]), this.indexLink(0));
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  }

  /**
   * The ids of image `id` and its ancestors, the empty root 0 first, `id`
   * last; one readlink. An image that is not there is `no image: ID`.
   */
  chain(id: number): number[] {
    const chain = this.#linkedChain(id);
    // A link whose node is gone (half published or removed) is no image either.
    if (!exists(nodeDataDir(this.indexLink(id)))) throw new NoImageError(id);
    return chain;
  }

  /** The chain image `id`'s index link names, whether or not its node is there. */
  #linkedChain(id: number): number[] {
    let target: string;
    try {
      target = Deno.readLinkSync(this.indexLink(id));
    } catch {
      throw new NoImageError(id);
    }
    const chain = chainOfLink(target);
    if (chain === undefined || chain[chain.length - 1] !== id) {
      throw new PlashError(`corrupt store: ${this.indexLink(id)} links to ${target}`);
    }
    return chain;
  }

  /**
   * Whether image `id` is there: what a command that tripped on a missing
   * path asks before it blames the path.
   */
  exists(id: number): boolean {
    try {
      this.chain(id);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * `error`, which a command on image `id` (there when it began) ran into,
   * as the command should say it: `no image: ID (removed while DOING)` when
   * another process removed the image meanwhile (what failed then was a path
   * of it, which says nothing to the user), else `error` itself.
   *
   * @example
   * ```ts
   * import { Store } from "./store.ts";
   *
   * const store = Store.create(Deno.makeTempDirSync());
   * const id = store.addLayer(0, store.makeTmpDir());
   * const chain = store.chain(id); // `no image: ID` when it is not there
   * try {
   *   Deno.readDirSync(store.layer(id));
   * } catch (error) {
   *   throw store.explainGone(error, id, "listing it");
   * }
   * Deno.removeSync(store.root, { recursive: true });
   * ```
   */
  explainGone(error: unknown, id: number, doing: string): unknown {
    // A process chrooted into an image (a root run, after its set-up) sees no store: what
    // failed there is its own.
    if (this.exists(id) || !this.#visible()) return error;
    return new NoImageError(id, doing, { cause: error });
  }

  /** Whether this process sees the store at all (a chrooted one does not). */
  #visible(): boolean {
    try {
      return Deno.statSync(this.indexRoot).isDirectory;
    } catch {
      return false;
    }
  }

  /**
   * Runs `work` on image `id`, which must be there (else `no image: ID`);
   * when it fails because another process removed the image meanwhile, it
   * fails with `no image: ID (removed while DOING)` (see
   * {@linkcode explainGone}).
   *
   * @example
   * ```ts
   * import { Store } from "./store.ts";
   *
   * const store = Store.create(Deno.makeTempDirSync());
   * const id = store.addLayer(0, store.makeTmpDir());
   * await store.whileThere(id, "exporting it", async () => {
   *   // read store.layer(id)...
   * });
   * Deno.removeSync(store.root, { recursive: true });
   * ```
   */
  async whileThere<T>(id: number, doing: string, work: () => Promise<T>): Promise<T> {
    this.chain(id);
    return await this.blamingRemoval(id, doing, work);
  }

  /**
   * Runs `work` on image `id`, which the caller found there (by
   * {@linkcode image}, say); a failure because another process removed it
   * meanwhile is said as in {@linkcode whileThere}.
   */
  async blamingRemoval<T>(id: number, doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.explainGone(error, id, doing);
    }
  }

  /**
   * Image `id` looked up once: its chain (`no image: ID` when it is not
   * there) and its config. A run reads the store through this alone: on a
   * deep image each lookup walks a path hundreds of directories long.
   */
  image(id: number): StoredImage {
    const chain = this.#linkedChain(id);
    const node = this.nodeOf(chain);
    // The config read proves the node is there: only without one is that looked up again.
    const config = readConfigFile(node);
    if (config === undefined && !exists(nodeDataDir(node))) throw new NoImageError(id);
    return { chain, config: config ?? {} };
  }

  /** The absolute node directory of image `id` (what `plash nodepath` prints). */
  node(id: number): string {
    return this.nodeOf(this.chain(id));
  }

  /** What image `id` declares for its runs. */
  config(id: number): ImageConfig {
    return readConfig(this.node(id));
  }

  /** The parent of image `id`; the empty root 0 has none. */
  parent(id: number): number | undefined {
    const chain = this.chain(id);
    return chain.length > 1 ? chain[chain.length - 2] : undefined;
  }

  /** Every image id that has a live index link, in ascending order (0 excluded). */
  imageIds(): number[] {
    const ids: number[] = [];
    for (const entry of Deno.readDirSync(this.indexRoot)) {
      const id = idFromName(entry.name);
      if (id === undefined || id === 0) continue;
      // A dangling link is a half-published or removed image, not an image.
      if (exists(nodeDataDir(this.indexLink(id)))) ids.push(id);
    }
    return ids.sort((a, b) => a - b);
  }

  /** Reserves a new image id, never handed out before (until purge). */
  allocateId(): number {
    return allocateId(this.counter);
  }

  /**
   * A new temporary directory in the store, owned by process `owner`
   * (default: this one): `plash clean` removes it once that process is gone.
   */
  makeTmpDir(owner?: number): string {
    return makeTmpDir(this, owner);
  }

  /**
   * Publishes `layerDir` (on the store's filesystem: stage it in a
   * {@linkcode makeTmpDir}) as the layer of a new image on `parent`, with
   * `config` laid over the parent's; returns the new id.
   */
  addLayer(parent: number, layerDir: string, config?: ImageConfig): number {
    return publishLayer(this, parent, layerDir, config);
  }

  /**
   * Publishes `node`, staged in a {@linkcode makeTmpDir} with its layer in
   * it (see `layout.ts`), as a new image on `parent`, with `config` laid
   * over the parent's; returns the new id. Only the node moves.
   */
  addNode(parent: number, node: string, config?: ImageConfig): number {
    return publishNode(this, parent, node, config);
  }

  /** The image mapped to `key`, or undefined (also when the image was removed). */
  getMap(key: string): number | undefined {
    return getMap(this, key);
  }

  /** Maps `key` to image `id`, replacing what it mapped to, in one rename(2). */
  setMap(key: string, id: number): void {
    setMap(this, key, id);
  }

  /** Removes `key`; removing a key that is not there is not an error. */
  deleteMap(key: string): void {
    deleteMap(this, key);
  }

  /** Every map entry, whether or not its image still exists. */
  mapEntries(): MapEntry[] {
    return mapEntries(this);
  }

  /**
   * The image mapped to `key`, else the one `load` makes, mapped to `key`
   * for the next time.
   */
  async cached(key: string, load: () => Promise<number>): Promise<number> {
    const found = this.getMap(key);
    if (found !== undefined) return found;
    // Two plash processes importing the same thing: one loads, the other
    // waits and finds the image once the lock is its.
    return await this.withLock(key, async () => {
      const loaded = this.getMap(key);
      if (loaded !== undefined) return loaded;
      const id = await load();
      this.setMap(key, id);
      return id;
    });
  }

  /**
   * Runs `fn` holding the store-wide lock named `name` (any text; a map key,
   * say), which every plash process on this store shares; waits while another
   * holds it. A lock file in tmp/ that its last holder removes; the kernel
   * releases it when its holder dies, SIGKILL included. Not reentrant.
   *
   * @example
   * ```ts
   * import { Store } from "./store.ts";
   *
   * const store = Store.create(Deno.makeTempDirSync());
   * const id = await store.withLock("cache:abc", async () => {
   *   return store.getMap("cache:abc") ?? 0; // else build it, map it
   * });
   * Deno.removeSync(store.root, { recursive: true });
   * ```
   */
  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    // Loaded here: a cached build or a run takes no lock.
    const [{ sha256Hex }, { withLockFile }] = await Promise.all([
      lazyImport("sha256"),
      lazyImport("storeLock"),
    ]);
    // Hashed: a name may be any text, longer than a file name may be.
    const hash = await sha256Hex(new TextEncoder().encode(name));
    return await withLockFile(this.lockFile(hash), fn);
  }
}
