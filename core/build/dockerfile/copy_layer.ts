/**
 * A COPY or ADD layer, made without running a container: its items (see
 * `copy_plan.ts`) are written into a staged layer directory that becomes the
 * new image. The directories above each destination that the image has
 * already are made again with the image's owner, mode and mtime (an overlay
 * upper directory shows its own), and symlinks on the way are followed
 * inside the image.
 *
 * Without root the layer is written as the caller, in one start, as the
 * imports are extracted: the owners it cannot give (`--chown`, the image's
 * directories above a destination, an archive's) are noted and given by one
 * clone child in plash's user namespace (`core/images/apply_deferred.ts`),
 * and the image's directories are read as root of that namespace sees them
 * (`image_root_reader.ts`). Where a source or the image is closed to the
 * caller, the layer made so far is removed and the command starts again as
 * root of the namespace (`core/privilege.ts`).
 *
 * @module
 */

import { lchown, setTimesNoFollow } from "../../../ffi/file_attributes.ts";
import { wrap } from "../../errors.ts";
import type { ImageConfig } from "../../store/image_config.ts";
import type { Store } from "../../store/store.ts";
import { removeStaged } from "../../runtime/remove_staged.ts";
import { removeTree } from "../../store/tmp.ts";
import { orAsImageRoot, readingAsImageRoot } from "../../runtime/image_root_reader.ts";
import type { DeferredMetadata } from "../../tree/deferred_metadata.ts";
import { findMerged } from "../../tree/merged_path.ts";
import { applyDeferred, deferredMetadata } from "../../images/apply_deferred.ts";
import { decompressFile } from "../../tar/decompress.ts";
import { extractTar } from "../../tar/extract.ts";
import { type ProgressItem, startProgress } from "../../images/progress.ts";
import type { CopyItem } from "./copy_plan.ts";
import { makeLayerRoot } from "../../store/config_layer.ts";
import "../../tree/flatten.ts"; // publishes images: lets the store make checkpoints

/** Writes `items` as a new layer on `parent` (whose layers are `layers`), with `config`. */
export async function addCopyLayer(
  store: Store,
  parent: number,
  layers: string[],
  items: CopyItem[],
  config: ImageConfig,
): Promise<number> {
  const deferred = deferredMetadata();
  const stage = store.makeTmpDir();
  let id: number;
  try {
    id = await orAsImageRoot(async () => {
      const root = `${stage}/root`;
      const below = makeLayerRoot(store, parent, root);
      await writeItems(root, layers, items, deferred);
      setTimesNoFollow(root, Date.now() / 1000, below.mtime!.getTime() / 1000);
      await applyDeferred(deferred, [root]);
      return store.addLayer(parent, root, config);
    });
  } catch (error) {
    // Files the child gave to other owners may be closed to the caller: removed as namespace root.
    await removeStaged(stage);
    throw wrap(error, "COPY");
  }
  removeTree(stage); // empty: its root is the store's now
  return id;
}

/**
 * Writes `items` into the layer directory `root`, the image's directories
 * (of `layers`) read as root of plash's user namespace sees them.
 */
async function writeItems(
  root: string,
  layers: string[],
  items: CopyItem[],
  deferred: DeferredMetadata | undefined,
): Promise<void> {
  const progress = items.length >= LARGE ? copyProgress(items) : undefined;
  try {
    await readingAsImageRoot(layers, async () => {
      const writer = new LayerWriter(root, layers, deferred);
      for (const [i, item] of items.entries()) {
        await writer.write(item);
        progress?.add(item.size ?? 0);
        // A synchronous loop draws nothing: let the display's timer run now and then.
        if (progress && i % LARGE === 0) await new Promise((resolve) => setTimeout(resolve));
      }
      writer.finish();
    });
  } finally {
    progress?.done();
  }
}

/** A COPY of this many files or more shows its progress (on a terminal, without -q). */
const LARGE = 1000;

function copyProgress(items: CopyItem[]): ProgressItem {
  const bytes = items.reduce((sum, item) => sum + (item.size ?? 0), 0);
  const display = startProgress("COPY");
  const files = items.filter((item) => item.type !== "dir").length;
  const item = display.item(`${files} files`, bytes);
  return {
    add: (count) => item.add(count),
    done: () => {
      item.done();
      display.finish();
    },
  };
}

class LayerWriter {
  /** Directories made, by their path in the image, with the metadata they get last. */
  readonly #dirs = new Map<string, { mode: number; mtime: number }>();
  /** The files written, by their path in the image. */
  readonly #written = new Set<string>();

  /** `deferred`: where a writer without root notes the owners it leaves to namespace root. */
  constructor(
    readonly root: string,
    readonly layers: string[],
    readonly deferred: DeferredMetadata | undefined,
  ) {}

  async write(item: CopyItem): Promise<void> {
    const dest = this.#resolveParent(item.dest);
    const path = `${this.root}${dest}`;
    if (item.type === "dir" || item.type === "archive") {
      this.#makeDir(dest, item.type === "dir" ? item : undefined);
      if (item.type === "archive") {
        await extractTar(await decompressFile(await Deno.open(item.source!)), path, {
          deferred: this.deferred,
        });
      }
      return;
    }
    // A fresh layer: only what this COPY wrote (or a directory it made) can be in the way.
    if (this.#written.has(dest) || this.#dirs.has(dest)) {
      Deno.removeSync(path, { recursive: true });
      this.deferred?.forget(path);
      this.#dirs.delete(dest);
    }
    this.#written.add(dest);
    if (item.type === "symlink") {
      Deno.symlinkSync(item.target!, path);
    } else if (item.text !== undefined) {
      Deno.writeTextFileSync(path, item.text);
    } else {
      Deno.copyFileSync(item.source!, path);
    }
    // Made by plash's root: 0:0 already. A copy has its source's mode already, less the set-id
    // bits the chown clears.
    const setMode = item.type !== "symlink" && !item.sourceMode;
    this.#chown(path, item.uid, item.gid, setMode ? item.mode : undefined, item.type === "symlink");
    if (setMode) Deno.chmodSync(path, item.mode);
    setTimesNoFollow(path, item.mtime, item.mtime);
  }

  /** Gives each directory made its mode and mtime, deepest first (writes moved them). */
  finish(): void {
    const paths = [...this.#dirs.keys()].sort().reverse();
    for (const dest of paths) {
      const { mode, mtime } = this.#dirs.get(dest)!;
      Deno.chmodSync(`${this.root}${dest}`, mode);
      setTimesNoFollow(`${this.root}${dest}`, mtime, mtime);
    }
  }

  /**
   * Gives `path` its owner: as root, now; else noted for namespace root, with
   * `mode` set again after the chown, which clears set-id bits (none given:
   * the chown leaves what it leaves, as root's does).
   */
  #chown(path: string, uid: number, gid: number, mode: number | undefined, isSymlink = false) {
    if (this.deferred === undefined) {
      if (uid !== 0 || gid !== 0) lchown(path, uid, gid);
      return;
    }
    const meta = { uid, gid, mode: mode ?? 0, atime: 0, mtime: 0, xattrs: new Map() };
    this.deferred.note(path, meta, isSymlink);
    const entry = this.deferred.entries.get(path);
    if (entry && mode === undefined) entry.mode = undefined;
  }

  /** `dest` with the symlinks of its parent directories followed inside the image. */
  #resolveParent(dest: string): string {
    const slash = dest.lastIndexOf("/");
    const parent = dest.slice(0, slash) || "/";
    const name = dest.slice(slash + 1);
    const dir = this.#ensureDir(parent);
    return name === "" ? dir : `${dir === "/" ? "" : dir}/${name}`;
  }

  /** Makes `dir` in the layer (resolved in the image) and its parents; returns its resolved path. */
  #ensureDir(dir: string): string {
    if (dir === "/" || this.#dirs.has(dir)) return dir;
    const resolved = this.layers.length ? findMerged(this.layers, dir) : undefined;
    const path = resolved?.info.isDirectory ? `/${resolved.path}` : dir;
    if (path === "/" || this.#dirs.has(path)) return path;
    const parent = this.#ensureDir(path.slice(0, path.lastIndexOf("/")) || "/");
    const own = `${parent === "/" ? "" : parent}/${path.slice(path.lastIndexOf("/") + 1)}`;
    // Its owners as root of plash's user namespace sees them (the image's ids).
    const info = resolved?.info.isDirectory ? resolved.info : undefined;
    this.#makeDir(
      own,
      info && {
        mode: info.mode! & 0o7777,
        uid: info.uid!,
        gid: info.gid!,
        mtime: info.mtime!.getTime() / 1000,
      },
    );
    return own;
  }

  #makeDir(dest: string, meta?: { mode: number; uid: number; gid: number; mtime: number }): void {
    const path = `${this.root}${dest}`;
    if (dest !== "/" && !this.#dirs.has(dest)) {
      this.#resolveParent(dest);
      try {
        Deno.mkdirSync(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        if (!Deno.lstatSync(path).isDirectory) {
          Deno.removeSync(path);
          Deno.mkdirSync(path);
        }
      }
    }
    const fields = meta ?? { mode: 0o755, uid: 0, gid: 0, mtime: Date.now() / 1000 };
    if (dest === "/" && meta === undefined) return;
    this.#chown(path, fields.uid, fields.gid, fields.mode);
    this.#dirs.set(dest, { mode: fields.mode, mtime: fields.mtime });
  }
}
