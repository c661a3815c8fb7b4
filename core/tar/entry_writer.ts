/**
 * Writing archive entries into a directory, safely: this is where an
 * untrusted archive meets the filesystem.
 *
 * * Names are normalized; absolute names and ".." fail (see `entry_name.ts`).
 * * No write goes through a symlink: every parent of a name is lstat-checked
 *   to be a real directory, and the last component is removed and created
 *   anew with calls that do not follow it (O_EXCL, mkdir, mknod, symlink,
 *   link, lchown, lsetxattr, utimensat with AT_SYMLINK_NOFOLLOW).
 * * Hard link targets are names already extracted, reached the same way.
 * * Relative symlink targets may not climb above the root; absolute ones are
 *   resolved inside the container at run time, so they stay.
 * * overlayfs's own xattrs are dropped: `trusted.overlay.redirect` and the
 *   like would change what the image's other layers show.
 * * With `whiteouts` (OCI layers), `.wh.` entries become overlay whiteouts
 *   and opaque directories (see `oci_whiteouts.ts`), under the same rules.
 *
 * @module
 */

import { mknod, S_IFBLK, S_IFCHR, S_IFIFO } from "../../ffi/sys.ts";
import { orInNamespace } from "../tree/unprivileged.ts";
import { PlashError, wrap } from "../errors.ts";
import {
  type Metadata,
  setMetadata,
  setModeAndTimes,
  setOwnerAndXattrs,
} from "../tree/metadata.ts";
import { isOverlayXattr, makeWhiteout, markOpaque } from "../tree/overlay_format.ts";
import { climbsAboveRoot, normalizeEntryName, quote } from "./entry_name.ts";
import { type Whiteout, whiteoutOf } from "./oci_whiteouts.ts";
import { type PaxValue, XATTR_PREFIX } from "./tar_stream.ts";

/** The parts of a tar-stream header the writer reads. */
export interface EntryHeader {
  name: string;
  type: string | null;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  linkname: string | null;
  devmajor: number;
  devminor: number;
  /** PAX records, as `tar_stream.ts` decodes them. */
  pax?: unknown;
}

/** The file type bits mknod(2) takes for each special file type. */
const NODE_TYPES: Record<string, number> = {
  "character-device": S_IFCHR,
  "block-device": S_IFBLK,
  "fifo": S_IFIFO,
};
/** The entry types other than regular files that plash writes; the rest are skipped. */
const KNOWN_TYPES = new Set(["directory", "symlink", "link", ...Object.keys(NODE_TYPES)]);
/** Mode of the directories made for names whose parents the archive does not list. */
const IMPLIED_DIR_MODE = 0o755;

/** How an archive's entries are written. */
export interface WriterOptions {
  /** The archive is an OCI layer: turn its `.wh.` entries into overlay whiteouts. */
  whiteouts?: boolean;
}

/** Writes one archive's entries under `root`, an existing directory. */
export class EntryWriter {
  readonly #root: string;
  readonly #options: WriterOptions;
  /** Directories' metadata, applied by {@linkcode finish} once nothing more is written in them. */
  readonly #dirs = new Map<string, Metadata>();
  /**
   * Where whiteouts were made: a directory this layer makes there later stands
   * for a deleted lower one, so it is opaque.
   */
  readonly #whiteouts = new Set<string>();

  constructor(root: string, options: WriterOptions = {}) {
    this.#root = root;
    this.#options = options;
  }

  /**
   * Writes the entry `header` with contents `body` (which is read to its end
   * in every case). Entry types plash does not know are skipped.
   */
  async add(header: EntryHeader, body: AsyncIterable<Uint8Array>): Promise<void> {
    try {
      const type = header.type ?? "unknown";
      const whiteout = this.#options.whiteouts
        ? whiteoutOf(normalizeEntryName(header.name))
        : undefined;
      if (whiteout) {
        for await (const _ of body) { /* a marker: its contents mean nothing */ }
        return this.#whiteout(whiteout);
      }
      if (type === "file" || type === "contiguous-file") {
        const path = this.#prepare(normalizeEntryName(header.name));
        await this.#file(path, headerMetadata(header), body);
        return;
      }
      for await (const _ of body) { /* only regular files have contents */ }
      if (KNOWN_TYPES.has(type)) this.#addNonFile(type, header);
    } catch (error) {
      throw wrap(error, `archive entry ${quote(header.name)}`);
    }
  }

  /** Applies the directories' modes and times, deepest first. */
  finish(): void {
    const depth = (path: string) => path.split("/").length;
    const dirs = [...this.#dirs].sort(([a], [b]) => depth(b) - depth(a));
    for (const [path, meta] of dirs) setModeAndTimes(path, meta, false);
  }

  #addNonFile(type: string, header: EntryHeader): void {
    const parts = normalizeEntryName(header.name);
    if (type === "link") return this.#hardLink(header, parts);
    const meta = headerMetadata(header);
    if (type === "directory") {
      // A directory listed twice keeps its contents: only its metadata changes.
      return this.#directory(parts.length === 0 ? this.#root : this.#prepare(parts, true), meta);
    }
    if (type === "symlink") return this.#symlink(header, parts, meta);
    const path = this.#prepare(parts);
    let made = false;
    orInNamespace("device", () => {
      mknod(path, NODE_TYPES[type] | 0o600, header.devmajor, header.devminor);
      made = true;
    });
    if (made) setMetadata(path, meta, false);
  }

  /** The absolute path of `parts`, its parents checked (and made when `create` is set). */
  #place(parts: string[], create: boolean): string {
    if (parts.length === 0) throw new PlashError("the archive's root is not a directory");
    return `${this.#parentDir(parts, create)}/${parts[parts.length - 1]}`;
  }

  /**
   * The absolute path of `parts` with its parents in place and nothing at the
   * name itself, except a directory when `keepDir` is set.
   */
  #prepare(parts: string[], keepDir = false): string {
    const path = this.#place(parts, true);
    this.#clear(path, keepDir);
    return path;
  }

  /**
   * The directory holding `parts`, checked component by component to be a
   * real directory, never followed through a symlink; missing ones are made
   * when `create` is set.
   */
  #parentDir(parts: string[], create: boolean): string {
    let dir = this.#root;
    for (const [i, part] of parts.slice(0, -1).entries()) {
      dir = `${dir}/${part}`;
      const info = lstatOrUndefined(dir);
      if (info?.isDirectory) continue;
      const shown = quote(parts.slice(0, i + 1).join("/"));
      if (info?.isCharDevice && create && this.#whiteouts.has(dir)) Deno.removeSync(dir);
      else if (info?.isSymlink) throw new PlashError(`${shown} is a symlink`);
      else if (info) throw new PlashError(`${shown} is not a directory`);
      else if (!create) throw new PlashError(`${shown} does not exist`);
      this.#makeDir(dir);
    }
    return dir;
  }

  /** Makes directory `path`, opaque if it takes the place of a whiteout of this layer. */
  #makeDir(path: string): void {
    Deno.mkdirSync(path);
    Deno.chmodSync(path, IMPLIED_DIR_MODE);
    if (this.#whiteouts.has(path)) markOpaque(path);
  }

  /**
   * Writes a whiteout. One that meets a name this layer already wrote leaves
   * the name in place: it only deletes what the lower layers have there, which
   * the name hides anyway (a directory then must hide them: it becomes opaque).
   */
  #whiteout(whiteout: Whiteout): void {
    if (whiteout.kind === "opaque") {
      const dir = whiteout.dir.length === 0 ? this.#root : this.#prepare(whiteout.dir, true);
      if (!lstatOrUndefined(dir)) this.#makeDir(dir);
      return markOpaque(dir);
    }
    const path = this.#place(whiteout.target, true);
    const info = lstatOrUndefined(path);
    if (info?.isDirectory) return markOpaque(path);
    if (info) return;
    makeWhiteout(path);
    this.#whiteouts.add(path);
  }

  /** Removes what is at `path`, except a directory when `keepDir` is set. */
  #clear(path: string, keepDir: boolean): void {
    const info = lstatOrUndefined(path);
    if (!info || (info.isDirectory && keepDir)) return;
    if (!info.isDirectory) return Deno.removeSync(path);
    // A recursive remove does not follow the symlinks it meets.
    Deno.removeSync(path, { recursive: true });
    for (const dir of this.#dirs.keys()) {
      if (dir === path || dir.startsWith(`${path}/`)) this.#dirs.delete(dir);
    }
  }

  #directory(path: string, meta: Metadata): void {
    if (!lstatOrUndefined(path)) this.#makeDir(path);
    setOwnerAndXattrs(path, meta);
    this.#dirs.set(path, meta);
  }

  async #file(path: string, meta: Metadata, body: AsyncIterable<Uint8Array>): Promise<void> {
    const file = Deno.openSync(path, { write: true, createNew: true, mode: 0o600 });
    try {
      for await (const chunk of body) {
        for (let done = 0; done < chunk.length;) done += file.writeSync(chunk.subarray(done));
      }
    } finally {
      file.close();
    }
    setMetadata(path, meta, false);
  }

  #symlink(header: EntryHeader, parts: string[], meta: Metadata): void {
    const target = header.linkname ?? "";
    if (target === "") throw new PlashError("symlink without a target");
    if (climbsAboveRoot(parts, target)) {
      throw new PlashError(`symlink target ${quote(target)} leaves the archive's root`);
    }
    const path = this.#prepare(parts);
    Deno.symlinkSync(target, path);
    setMetadata(path, meta, true);
  }

  /** A second name for a file already extracted (the names share all metadata). */
  #hardLink(header: EntryHeader, parts: string[]): void {
    const linkname = header.linkname ?? "";
    const what = `hard link target ${quote(linkname)}`;
    const targetParts = normalizeEntryName(linkname, what);
    if (targetParts.length === 0) throw new PlashError(`${what} is the archive's root`);
    const target = this.#place(targetParts, false);
    const info = lstatOrUndefined(target);
    if (!info) throw new PlashError(`${what} does not exist`);
    if (info.isDirectory) throw new PlashError(`${what} is a directory`);
    const path = this.#place(parts, true);
    if (path === target) return;
    this.#clear(path, false);
    Deno.linkSync(target, path);
  }
}

/** What `header` says about the file besides its contents. PAX records override the fields. */
function headerMetadata(header: EntryHeader): Metadata {
  const pax = (header.pax ?? {}) as Record<string, PaxValue>;
  const mtime = paxNumber(pax, "mtime", TIME) ?? header.mtime.getTime() / 1000;
  const xattrs = new Map<string, Uint8Array>();
  for (const [key, value] of Object.entries(pax)) {
    if (!key.startsWith(XATTR_PREFIX)) continue;
    const name = key.slice(XATTR_PREFIX.length);
    if (isOverlayXattr(name)) continue;
    xattrs.set(name, typeof value === "string" ? new TextEncoder().encode(value) : value);
  }
  return {
    uid: paxNumber(pax, "uid", ID) ?? header.uid,
    gid: paxNumber(pax, "gid", ID) ?? header.gid,
    mode: header.mode & 0o7777,
    atime: paxNumber(pax, "atime", TIME) ?? mtime,
    mtime,
    xattrs,
  };
}

const ID = /^\d{1,10}$/;
const TIME = /^-?\d{1,15}(\.\d+)?$/;

/** The numeric PAX record `key` if it is there, checked against `pattern`. */
function paxNumber(
  pax: Record<string, PaxValue>,
  key: string,
  pattern: RegExp,
): number | undefined {
  const value = pax[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !pattern.test(value)) {
    throw new PlashError(`bad PAX ${key}: ${quote(String(value))}`);
  }
  return Number(value);
}

function lstatOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}
