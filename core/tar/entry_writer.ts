/**
 * Writing archive entries into a directory, safely: this is where an
 * untrusted archive meets the filesystem.
 *
 * * Names are normalized; absolute names and ".." fail (see `entry_name.ts`).
 * * No write goes through a symlink: the parent of a name is opened with one
 *   openat2(2) below the root that refuses any symlink (RESOLVE_IN_ROOT,
 *   RESOLVE_NO_SYMLINKS, O_DIRECTORY), and the last component is created anew
 *   relative to that descriptor with calls that do not follow it (O_EXCL,
 *   mkdirat, symlinkat, fchownat and utimensat with AT_SYMLINK_NOFOLLOW); a
 *   regular file gets its owner, xattrs, mode and times through its own open
 *   descriptor. When the lookup fails the parents are walked one by one with
 *   lstat, to make the missing ones and to say which one is wrong. Parent
 *   descriptors are kept while entries come (most come in directory order)
 *   and all dropped when a directory is removed, so none outlives its name.
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

import { createFileAt, setTimesAt, tryMakeDirAt, trySymlinkAt, writeAll } from "../../ffi/at.ts";
import { SyscallError } from "../../ffi/errors.ts";
import { openPath, tryOpenDirBelow } from "../../ffi/in_root.ts";
import { mknod, S_IFBLK, S_IFCHR, S_IFIFO } from "../../ffi/device_nodes.ts";
import { closeFd } from "../../ffi/sys.ts";
import type { DeferredMetadata } from "../tree/deferred_metadata.ts";
import { orInNamespace } from "../tree/unprivileged.ts";
import { PlashError, wrap } from "../errors.ts";
import {
  type Metadata,
  setMetadata,
  setModeAndTimes,
  setOpenFileMetadata,
  setOwnerAndXattrs,
  setOwnerAndXattrsAt,
} from "../tree/metadata.ts";
import { isOverlayXattr, makeWhiteout, markOpaque } from "../tree/overlay_format.ts";
import { climbsAboveRoot, normalizeEntryName, quote } from "./entry_name.ts";
import { type Whiteout, whiteoutOf } from "./oci_whiteouts.ts";
import { type PaxValue, XATTR_PREFIX } from "./pax.ts";

/** The parts of a tar header (`tar_reader.ts`) the writer reads. */
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
  /** PAX records, as `tar_reader.ts` decodes them. */
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
const EEXIST = 17;
/** Parent descriptors kept at most (a tree's directories outnumber the descriptor limit). */
const MAX_DIR_FDS = 64;

/** How an archive's entries are written. */
export interface WriterOptions {
  /** The archive is an OCI layer: turn its `.wh.` entries into overlay whiteouts. */
  whiteouts?: boolean;
  /**
   * Extract as the (non-root) caller: owners and the xattrs only root of
   * the user namespace may set are noted here instead (see
   * `deferred_metadata.ts`).
   */
  deferred?: DeferredMetadata;
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
  /** `O_PATH` descriptor of the root, which every lookup starts from. */
  readonly #rootFd: number;
  /** Parent directories already opened (relative path -> `O_PATH` descriptor). */
  readonly #dirFds = new Map<string, number>();

  constructor(root: string, options: WriterOptions = {}) {
    this.#root = root;
    this.#options = options;
    this.#rootFd = openPath(root, { directory: true });
  }

  /** Closes the descriptors held; the writer is of no use after. */
  close(): void {
    this.#forgetDirs();
    closeFd(this.#rootFd);
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
        return await this.#file(normalizeEntryName(header.name), headerMetadata(header), body);
      }
      for await (const _ of body) { /* only regular files have contents */ }
      if (KNOWN_TYPES.has(type)) this.#addNonFile(type, header);
    } catch (error) {
      throw wrap(error, `archive entry ${quote(header.name)}`);
    }
  }

  /** Applies the directories' modes and times, deepest first. */
  finish(): void {
    // Each depth counted once: counted in the comparison it took 20 ms of a Debian import.
    const dirs = [...this.#dirs].map(([path, meta]) => ({
      path,
      meta,
      depth: path.split("/").length,
    }));
    dirs.sort((a, b) => b.depth - a.depth);
    for (const { path, meta } of dirs) setModeAndTimes(path, meta, false);
  }

  #addNonFile(type: string, header: EntryHeader): void {
    const parts = normalizeEntryName(header.name);
    if (type === "link") return this.#hardLink(header, parts);
    const meta = headerMetadata(header);
    if (type === "directory") {
      // A directory listed twice keeps its contents: only its metadata changes.
      return this.#directory(parts, meta);
    }
    if (type === "symlink") return this.#symlink(header, parts, meta);
    const path = this.#prepare(parts);
    let made = false;
    orInNamespace("device", () => {
      mknod(path, NODE_TYPES[type] | 0o600, header.devmajor, header.devminor);
      made = true;
    });
    if (made) setMetadata(path, meta, false, this.#options.deferred);
  }

  /** The absolute path of `parts`, its parents checked (and made when `create` is set). */
  #place(parts: string[], create: boolean): string {
    this.#parentFd(parts, create);
    return this.#pathOf(parts);
  }

  #pathOf(parts: string[]): string {
    return `${this.#root}/${parts.join("/")}`;
  }

  /**
   * A descriptor of the directory holding `parts`, which is checked to be a
   * real directory below the root reached through no symlink; missing ones
   * are made when `create` is set. Valid until the next removal of a directory.
   */
  #parentFd(parts: string[], create: boolean): number {
    if (parts.length === 0) throw new PlashError("the archive's root is not a directory");
    if (parts.length === 1) return this.#rootFd;
    const relative = parts.slice(0, -1).join("/");
    let fd = this.#dirFds.get(relative);
    if (fd !== undefined) return fd;
    fd = tryOpenDirBelow(this.#rootFd, relative);
    if (fd < 0) {
      // The walk makes what is missing, or names the component that is wrong.
      this.#parentDir(parts, create);
      fd = tryOpenDirBelow(this.#rootFd, relative);
      if (fd < 0) throw new SyscallError("openat2", `${this.#root}/${relative}`, -fd);
    }
    if (this.#dirFds.size >= MAX_DIR_FDS) this.#forgetDirs();
    this.#dirFds.set(relative, fd);
    return fd;
  }

  #forgetDirs(): void {
    for (const fd of this.#dirFds.values()) closeFd(fd);
    this.#dirFds.clear();
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
    this.#options.deferred?.forget(path);
    if (!info.isDirectory) return Deno.removeSync(path);
    // A recursive remove does not follow the symlinks it meets.
    Deno.removeSync(path, { recursive: true });
    this.#forgetDirs();
    for (const dir of this.#dirs.keys()) {
      if (dir === path || dir.startsWith(`${path}/`)) this.#dirs.delete(dir);
    }
  }

  /** Makes (or keeps) the directory `parts`; its mode and times wait for {@linkcode finish}. */
  #directory(parts: string[], meta: Metadata): void {
    if (parts.length === 0) {
      setOwnerAndXattrs(this.#root, meta, this.#options.deferred);
      this.#dirs.set(this.#root, meta);
      return;
    }
    const path = this.#pathOf(parts);
    const name = parts[parts.length - 1];
    let dirFd = this.#parentFd(parts, true);
    const made = tryMakeDirAt(dirFd, name, IMPLIED_DIR_MODE);
    if (made === -EEXIST) {
      // A directory listed twice keeps its contents; anything else there goes.
      this.#clear(path, true);
      dirFd = this.#parentFd(parts, true);
      if (!lstatOrUndefined(path)) this.#makeDir(path);
    } else if (made < 0) {
      throw new SyscallError("mkdirat", path, -made);
    } else if (this.#whiteouts.has(path)) {
      markOpaque(path);
    }
    setOwnerAndXattrsAt(dirFd, name, path, meta, this.#options.deferred);
    this.#dirs.set(path, meta);
  }

  /**
   * A regular file: created relative to its parent's descriptor, written in
   * one `write` a chunk (a small file is one chunk), its metadata set through
   * its own descriptor.
   */
  async #file(parts: string[], meta: Metadata, body: AsyncIterable<Uint8Array>): Promise<void> {
    const path = this.#pathOf(parts);
    const name = parts[parts.length - 1];
    let fd = createFileAt(this.#parentFd(parts, true), name, 0o600);
    if (fd === -EEXIST) {
      this.#clear(path, false);
      fd = createFileAt(this.#parentFd(parts, true), name, 0o600);
    }
    if (fd < 0) throw new SyscallError("openat", path, -fd);
    try {
      for await (const chunk of body) writeAll(fd, chunk, path);
      setOpenFileMetadata(fd, meta, path, this.#options.deferred);
    } finally {
      closeFd(fd);
    }
  }

  #symlink(header: EntryHeader, parts: string[], meta: Metadata): void {
    const target = header.linkname ?? "";
    if (target === "") throw new PlashError("symlink without a target");
    if (climbsAboveRoot(parts, target)) {
      throw new PlashError(`symlink target ${quote(target)} leaves the archive's root`);
    }
    const path = this.#pathOf(parts);
    const name = parts[parts.length - 1];
    let dirFd = this.#parentFd(parts, true);
    let made = trySymlinkAt(target, dirFd, name);
    if (made === -EEXIST) {
      this.#clear(path, false);
      dirFd = this.#parentFd(parts, true);
      made = trySymlinkAt(target, dirFd, name);
    }
    if (made < 0) throw new SyscallError("symlinkat", path, -made);
    setOwnerAndXattrsAt(dirFd, name, path, meta, this.#options.deferred, true);
    setTimesAt(dirFd, name, meta.atime, meta.mtime, path);
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
    this.#options.deferred?.link(target, path);
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
