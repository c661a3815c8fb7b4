/**
 * A COPY or ADD layer, made without running a container: its items (see
 * `copy_plan.ts`) are written into a staged layer directory that becomes the
 * new image. The directories above each destination that the image has
 * already are made again with the image's owner, mode and mtime (an overlay
 * upper directory shows its own), and symlinks on the way are followed
 * inside the image.
 *
 * @module
 */

import { lchown, setTimesNoFollow } from "../../../ffi/sys.ts";
import { wrap } from "../../errors.ts";
import { needPrivilege } from "../../privilege.ts";
import type { ImageConfig } from "../../store/image_config.ts";
import type { Store } from "../../store/store.ts";
import { removeTree } from "../../store/tmp.ts";
import { decompressFile } from "../../tar/decompress.ts";
import { extractTar } from "../../tar/extract.ts";
import { type ProgressItem, startProgress } from "../../images/progress.ts";
import type { CopyItem } from "./copy_plan.ts";
import { lookupInLayers } from "./image_path.ts";
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
  // Its files get the image's owners (an ONBUILD trigger's COPY: root_steps.ts lets it by).
  needPrivilege();
  const stage = store.makeTmpDir();
  try {
    const root = `${stage}/root`;
    const below = makeLayerRoot(store, parent, root);
    const writer = new LayerWriter(root, layers);
    const progress = items.length >= LARGE ? copyProgress(items) : undefined;
    try {
      for (const [i, item] of items.entries()) {
        await writer.write(item);
        progress?.add(item.size ?? 0);
        // A synchronous loop draws nothing: let the display's timer run now and then.
        if (progress && i % LARGE === 0) await new Promise((resolve) => setTimeout(resolve));
      }
    } finally {
      progress?.done();
    }
    writer.finish();
    setTimesNoFollow(root, Date.now() / 1000, below.mtime!.getTime() / 1000);
    return store.addLayer(parent, root, config);
  } catch (error) {
    throw wrap(error, "COPY");
  } finally {
    removeTree(stage);
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

  constructor(readonly root: string, readonly layers: string[]) {}

  async write(item: CopyItem): Promise<void> {
    const dest = this.#resolveParent(item.dest);
    const path = `${this.root}${dest}`;
    if (item.type === "dir" || item.type === "archive") {
      this.#makeDir(dest, item.type === "dir" ? item : undefined);
      if (item.type === "archive") {
        await extractTar(await decompressFile(await Deno.open(item.source!)), path);
      }
      return;
    }
    // A fresh layer: only what this COPY wrote (or a directory it made) can be in the way.
    if (this.#written.has(dest) || this.#dirs.has(dest)) {
      Deno.removeSync(path, { recursive: true });
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
    // Made by plash's root: 0:0 already. A copy has its source's mode already.
    if (item.uid !== 0 || item.gid !== 0) lchown(path, item.uid, item.gid);
    if (item.type !== "symlink" && !item.sourceMode) Deno.chmodSync(path, item.mode);
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
    const resolved = this.layers.length ? lookupInLayers(this.layers, dir) : undefined;
    const path = resolved?.info.isDirectory ? resolved.path : dir;
    if (path === "/" || this.#dirs.has(path)) return path;
    const parent = this.#ensureDir(path.slice(0, path.lastIndexOf("/")) || "/");
    const own = `${parent === "/" ? "" : parent}/${path.slice(path.lastIndexOf("/") + 1)}`;
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
    lchown(path, fields.uid, fields.gid);
    this.#dirs.set(dest, { mode: fields.mode, mtime: fields.mtime });
  }
}
