/**
 * What a COPY or ADD writes, as a list of items, found before anything is
 * written: the list (names, types, modes, owners, contents) is the
 * instruction's cache key, so an unchanged context is a cache hit and an
 * mtime alone changes nothing.
 *
 * Docker's rules: a directory source copies what it holds, not itself; a
 * file goes to DEST/NAME when DEST ends in `/` or is a directory of the
 * image, else to DEST; several sources need a DEST ending in `/`; a symlink
 * named as a source is followed (inside the context), one met inside a
 * directory is copied as a symlink; owners are 0:0 unless `--chown` says.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planCopy } from "./copy_plan.ts";
 * import { BuildContext } from "./context.ts";
 *
 * const dir = Deno.makeTempDirSync(); // a build context
 * Deno.mkdirSync(`${dir}/src`);
 * Deno.writeTextFileSync(`${dir}/src/b.ts`, "");
 * Deno.writeTextFileSync(`${dir}/src/a.ts`, "");
 * const context = BuildContext.open(dir, undefined);
 * const items = planCopy({ from: { context }, sources: ["src/"], dest: "/app/" }, []);
 * assert.ok(items.some((item) => item.dest === "/app/a.ts" && item.type === "file"));
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import { sha256File, sha256Hex } from "../../sha256.ts";
import { findMerged } from "../../tree/merged_path.ts";
import { walkMerged } from "../../tree/merged_tree.ts";
import type { BuildContext } from "./context.ts";

/** One thing a COPY writes at `dest` (an absolute path in the image). */
export interface CopyItem {
  dest: string;
  type: "dir" | "file" | "symlink" | "archive";
  /** The host file it is copied from (a file, or an archive ADD unpacks). */
  source?: string;
  /** A heredoc's text, for a file made from one. */
  text?: string;
  /** A symlink's target. */
  target?: string;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** A source file's size, as the plan found it. */
  size?: number;
  /** Whether `mode` is the source file's own (a copy keeps it without a chmod). */
  sourceMode?: boolean;
}

/** Where a COPY's sources are found: the context, or an image's layers (`--from`). */
export type CopySource = { context: BuildContext } | { layers: string[]; image: string };

/** One COPY or ADD, its words expanded. */
export interface CopyRequest {
  from: CopySource;
  sources: string[];
  /** Heredoc sources: name and text. */
  heredocs?: { name: string; text: string }[];
  /** Absolute, a trailing `/` kept. */
  dest: string;
  owner?: { uid: number; gid: number };
  /** `--chmod`, octal. */
  mode?: number;
  /** ADD: a local tar archive (any compression plash reads) is unpacked into DEST. */
  unpack?: boolean;
  /** `--exclude`: whether a source path (relative to the context) is left out. */
  exclude?: (path: string) => boolean;
  /** `--parents`: each source keeps its directories (as matched) under DEST. */
  parents?: boolean;
}

/** The items of `request` on the image of `layers` (top first; empty for scratch). */
export function planCopy(request: CopyRequest, layers: string[]): CopyItem[] {
  const found = findSources(request);
  const count = found.length + (request.heredocs?.length ?? 0);
  const destIsDir = request.dest.endsWith("/") ||
    (layers.length > 0 && findMerged(layers, request.dest)?.info.isDirectory === true);
  if (count > 1 && !request.dest.endsWith("/")) {
    throw new PlashError(
      `when using COPY with more than one source file, the destination must be a directory and end with a /: ${request.dest}`,
    );
  }
  const dest = request.dest.replace(/\/+$/, "") || "/";
  const into = (name: string) => `${dest === "/" ? "" : dest}/${name}`;
  const owner = request.owner ?? { uid: 0, gid: 0 };
  const items: CopyItem[] = [];
  const add = (item: CopyItem) =>
    items.push({
      ...item,
      ...owner,
      mode: request.mode ?? item.mode,
      sourceMode: request.mode === undefined && item.source !== undefined,
    });
  for (const heredoc of request.heredocs ?? []) {
    add({
      dest: destIsDir ? into(heredoc.name) : dest,
      type: "file",
      text: heredoc.text,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: Date.now() / 1000,
    });
  }
  for (const { path, host, info, walk } of found) {
    const name = path.split("/").pop()!;
    const base = request.parents && path.includes("/")
      ? `${dest === "/" ? "" : dest}/${path.slice(0, path.lastIndexOf("/"))}`
      : dest;
    const under = (name: string) => `${base === "/" ? "" : base}/${name}`;
    if (info.isDirectory) {
      const top = request.parents ? under(name) : dest;
      // The copy's target: a directory the image has keeps its owner and mode, a new one is
      // made 0755 (as buildah makes it); what it holds takes the source's.
      const keepTop = layers.length > 0 && findMerged(layers, top)?.info.isDirectory === true;
      for (const entry of walk()) {
        const type = entry.info.isDirectory ? "dir" : entry.info.isSymlink ? "symlink" : "file";
        if (!entry.info.isDirectory && !entry.info.isFile && !entry.info.isSymlink) continue;
        if (entry.rel === "" && keepTop) continue;
        add({
          dest: entry.rel === ""
            ? top
            : request.parents
            ? `${under(name)}/${entry.rel}`
            : `${dest === "/" ? "" : dest}/${entry.rel}`,
          type,
          source: type === "file" ? entry.host : undefined,
          target: type === "symlink" ? Deno.readLinkSync(entry.host) : undefined,
          ...fileFacts(entry.info),
          ...(entry.rel === "" ? { mode: 0o755 } : {}),
        });
      }
    } else if (request.unpack && isArchive(host, path)) {
      add({ dest, type: "archive", source: host, ...fileFacts(info) });
    } else {
      const file = destIsDir || request.parents ? under(name) : dest;
      add({ dest: file, type: "file", source: host, ...fileFacts(info) });
    }
  }
  return items;
}

function fileFacts(
  info: Deno.FileInfo,
): { mode: number; uid: number; gid: number; mtime: number; size: number } {
  return {
    size: info.size,
    mode: (info.mode ?? 0o644) & 0o7777,
    uid: 0,
    gid: 0,
    mtime: (info.mtime?.getTime() ?? 0) / 1000,
  };
}

/** A source found: its path as named, its host file and what a walk of it yields. */
interface Found {
  path: string;
  host: string;
  info: Deno.FileInfo;
  walk(): Iterable<{ rel: string; host: string; info: Deno.FileInfo }>;
}

function findSources(request: CopyRequest): Found[] {
  const from = request.from;
  const excluded = (path: string) => request.exclude?.(path) ?? false;
  if ("context" in from) {
    const context = from.context;
    return request.sources.flatMap((source) => context.match(source)).filter((path) =>
      !excluded(path)
    )
      .map((path) => {
        const host = context.hostPath(path);
        return {
          path,
          host,
          info: Deno.statSync(host),
          walk: () => walkContext(context, host.slice(context.root.length + 1), excluded),
        };
      });
  }
  return request.sources.map((path) => {
    const file = findMerged(from.layers, path);
    if (file === undefined) {
      throw new PlashError(`${path}: no such file or directory in ${from.image}`);
    }
    return {
      path,
      host: file.source,
      info: file.info,
      walk: () => walkImage(file.merged),
    };
  });
}

function* walkContext(
  context: BuildContext,
  top: string,
  excluded: (path: string) => boolean,
): Generator<{ rel: string; host: string; info: Deno.FileInfo }> {
  const host = top === "" ? context.root : `${context.root}/${top}`;
  yield { rel: "", host, info: Deno.statSync(host) };
  const stack: string[] = [""];
  while (stack.length) {
    const rel = stack.pop()!;
    const dir = rel === "" ? host : `${host}/${rel}`;
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
    const subdirs: string[] = [];
    for (const name of names) {
      const childRel = rel === "" ? name : `${rel}/${name}`;
      const inContext = top === "" ? childRel : `${top}/${childRel}`;
      const info = Deno.lstatSync(`${dir}/${name}`);
      if (excluded(inContext)) continue;
      if (info.isDirectory) {
        if (!context.descendsInto(inContext)) continue;
        if (!context.excludes(inContext)) yield { rel: childRel, host: `${dir}/${name}`, info };
        subdirs.push(childRel);
      } else if (!context.excludes(inContext)) {
        yield { rel: childRel, host: `${dir}/${name}`, info };
      }
    }
    stack.push(...subdirs.reverse());
  }
}

/** What an image's directory holds, from `merged`: the layer directories that make it. */
function* walkImage(
  merged: string[],
): Generator<{ rel: string; host: string; info: Deno.FileInfo }> {
  for (const entry of walkMerged(merged)) {
    yield { rel: entry.path, host: entry.source, info: entry.info };
  }
}

/**
 * Whether the file at `path` (named `named` in the Dockerfile) is a tar
 * archive, plain or compressed as plash reads it (its first bytes say). A
 * bzip2 file, which docker's ADD would unpack, fails: copying it as it is
 * would build another image than docker's.
 */
function isArchive(path: string, named: string): boolean {
  const file = Deno.openSync(path);
  try {
    const head = new Uint8Array(512);
    const length = file.readSync(head) ?? 0;
    const starts = (...bytes: number[]) => bytes.every((byte, i) => head[i] === byte);
    if (starts(0x1f, 0x8b) || starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return true;
    if (starts(0x28, 0xb5, 0x2f, 0xfd)) return true;
    if (isBzip2(head)) {
      throw new PlashError(
        `${named}: bzip2 is not supported: plash unpacks tar archives plain or compressed with ` +
          "gzip, xz or zstd; recompress it, or COPY it to keep it packed",
      );
    }
    return length >= 262 && new TextDecoder().decode(head.subarray(257, 262)) === "ustar";
  } finally {
    file.close();
  }
}

/**
 * Whether `head` starts a bzip2 stream: `BZh`, the block size 1-9, then the
 * magic of a block (pi's digits) or of an empty stream's end (sqrt(pi)'s).
 */
function isBzip2(head: Uint8Array): boolean {
  const at = (offset: number, bytes: number[]) =>
    bytes.every((byte, i) => head[offset + i] === byte);
  return at(0, [0x42, 0x5a, 0x68]) && head[3] >= 0x31 && head[3] <= 0x39 &&
    (at(4, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]) || at(4, [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]));
}

/**
 * What keys a COPY: every item's name, type, mode, owner and content, not
 * its mtime. Small files are hashed together, a digest every 32 MiB of them
 * (their lengths keep them apart), each large one streamed on its own: a
 * cached build of many small files makes few digests.
 */
export async function copyKey(items: CopyItem[]): Promise<unknown[]> {
  const parts: unknown[] = [];
  let batch: Uint8Array<ArrayBuffer>[] = [];
  let batchSize = 0;
  const flush = async () => {
    parts.push(await sha256Hex(new Uint8Array(await new Blob(batch).arrayBuffer())));
    batch = [];
    batchSize = 0;
  };
  for (const item of items) {
    let content = item.text ?? item.target ?? "";
    if (item.source !== undefined) {
      const size = item.size ?? Deno.statSync(item.source).size;
      if (size <= SMALL_FILE) {
        const length = new Uint8Array(8);
        new DataView(length.buffer).setBigUint64(0, BigInt(size));
        batch.push(length, Deno.readFileSync(item.source));
        batchSize += size;
        content = "in the batch digest";
        if (batchSize >= BATCH) await flush();
      } else {
        content = await sha256File(item.source);
      }
    }
    parts.push([item.dest, item.type, item.mode, item.uid, item.gid, content]);
  }
  await flush();
  return parts;
}

/** Files up to this size are hashed in batches, read whole. */
const SMALL_FILE = 1 << 20;
/** The bytes of small files hashed in one digest. */
const BATCH = 32 << 20;
