/**
 * COPY and ADD: their flags (`--from`, `--chown`, `--chmod`, `--link`,
 * `--parents`, `--exclude`, ADD's `--checksum`), their words expanded, ADD's
 * URLs downloaded and its local archives unpacked, and what keys them (see
 * `copy_plan.ts`).
 *
 * @module
 */

import { PlashError, reason } from "../../errors.ts";
import { lazyImport } from "../../lazy_import.ts";
import { orAsImageRoot } from "../../runtime/image_root_reader.ts";
import { sha256File } from "../../sha256.ts";
import type { ImageConfig } from "../../store/image_config.ts";
import { removeTree } from "../../store/tmp.ts";
import { imageNamed, loadCopyLayer, type StageBuilder } from "./stage_builder.ts";
import { joinWorkdir } from "./config_instructions.ts";
import {
  type CopyItem,
  copyKey,
  type CopyRequest,
  type CopySource,
  planCopy,
} from "./copy_plan.ts";
import { IgnoreRules } from "./ignore_rules.ts";
import type { Instruction } from "./parse.ts";
import { findStage } from "./stages.ts";
import { expandWord, splitWords } from "./words.ts";

/**
 * Prepares the COPY or ADD `instruction` in the stage `builder` builds:
 * pushes onto `parts` what keys it; returns what writes its layer.
 */
export async function copyStep(
  builder: StageBuilder,
  instruction: Instruction,
  parts: unknown[],
): Promise<(config: ImageConfig) => Promise<number>> {
  const add = instruction.keyword === "ADD";
  const vars = builder.vars;
  const escape = builder.graph.escape;
  const expand = (text: string) => expandWord(text, vars, escape);
  const flags = new Map<string, string[]>();
  for (const { name, value } of instruction.flags) {
    const known = ["from", "chown", "chmod", "link", "parents", "exclude"];
    if (!known.includes(name) && !(add && ["checksum", "keep-git-dir", "unpack"].includes(name))) {
      throw new PlashError(`unknown flag --${name}`);
    }
    flags.set(name, [...(flags.get(name) ?? []), expand(value)]);
  }
  const words = instruction.json?.map(expand) ??
    splitWords(instruction.args, escape).map((word) => word.startsWith("<<") ? word : expand(word));
  if (words.length < 2) {
    throw new PlashError(`${instruction.keyword} requires at least two arguments`);
  }
  const destWord = words.pop()!;
  const layers = builder.layers();
  const cleanup: string[] = [];
  try {
    const heredocs = instruction.heredocs.map((heredoc) => ({
      name: heredoc.name,
      text: heredoc.expand ? expandWord(heredoc.content, vars, "\u0000") : heredoc.content,
    }));
    const named = words.filter((word) => !word.startsWith("<<"));
    const urls = add ? named.filter((word) => /^https?:\/\//.test(word)) : [];
    const from = flags.get("from")?.[0];
    const request: CopyRequest = {
      from: from === undefined ? { context: builder.context } : await copySource(builder, from),
      sources: named.filter((word) => !urls.includes(word)),
      heredocs,
      dest: destination(destWord, builder.config.workdir ?? "/"),
      owner: flags.has("chown") ? await owner(flags.get("chown")![0], layers) : undefined,
      mode: flags.has("chmod") ? mode(flags.get("chmod")![0]) : undefined,
      unpack: add && flags.get("unpack")?.[0] !== "false",
      exclude: flags.has("exclude") ? excluder(flags.get("exclude")!) : undefined,
      parents: flags.has("parents") && flags.get("parents")![0] !== "false",
    };
    // Without root, a source or an image closed to the caller: the build starts again as root
    // of plash's user namespace (`copy_layer.ts`).
    const items = await orAsImageRoot(() => Promise.resolve(planCopy(request, layers)));
    for (const url of urls) {
      items.push(...await download(builder, url, flags.get("checksum")?.[0], request, cleanup));
    }
    parts.push(request.dest, await orAsImageRoot(() => copyKey(items)));
    return async (config) => {
      try {
        const { addCopyLayer } = await loadCopyLayer();
        return await addCopyLayer(builder.store, builder.id, layers, items, config);
      } finally {
        for (const dir of cleanup) removeTree(dir);
      }
    };
  } catch (error) {
    for (const dir of cleanup) removeTree(dir);
    throw error;
  }
}

/** DEST made absolute from the WORKDIR; a trailing `/` (or `.`) marks a directory. */
function destination(dest: string, workdir: string): string {
  const dir = dest.endsWith("/") || dest === "." || dest.endsWith("/.") || dest === "..";
  const path = joinWorkdir(workdir, dest);
  return dir && path !== "/" ? `${path}/` : path;
}

/** `--from=`: an earlier stage (by name or index), else an image (of the store, else pulled). */
async function copySource(builder: StageBuilder, from: string): Promise<CopySource> {
  const stage = findStage(builder.graph, from);
  if (stage !== undefined && builder.built.has(stage.index)) {
    return { layers: builder.layers(builder.built.get(stage.index)!), image: `stage ${from}` };
  }
  let id: number;
  try {
    id = await imageNamed(builder.store, from);
  } catch (error) {
    throw new PlashError(
      `--from=${from}: no earlier stage of that name, and no such image: ${reason(error)}`,
    );
  }
  return { layers: builder.layers(id), image: `image ${from}` };
}

/** `--chown`'s ids, read by a module loaded only for a COPY that has one. */
async function owner(spec: string, layers: string[]): Promise<{ uid: number; gid: number }> {
  const { chownIds } = await lazyImport("chown");
  return chownIds(spec, layers);
}

function mode(text: string): number {
  if (!/^[0-7]{1,4}$/.test(text)) throw new PlashError(`--chmod=${text}: not an octal mode`);
  return parseInt(text, 8);
}

function excluder(patterns: string[]): (path: string) => boolean {
  const rules = new IgnoreRules(patterns);
  return (path) => rules.excludes(path);
}

/** ADD URL: downloaded into the store's tmp/ (checked against `checksum`), then one file. */
async function download(
  builder: StageBuilder,
  url: string,
  checksum: string | undefined,
  request: CopyRequest,
  cleanup: string[],
): Promise<CopyItem[]> {
  const dir = builder.store.makeTmpDir();
  cleanup.push(dir);
  const name = decodeURIComponent(new URL(url).pathname.split("/").pop() || "index.html");
  const file = `${dir}/${name}`;
  const { openUrl } = await lazyImport("openUrl");
  const { body } = await openUrl(url);
  await body.pipeTo((await Deno.create(file)).writable);
  if (checksum !== undefined) {
    const digest = `sha256:${await sha256File(file)}`;
    if (digest !== checksum) {
      throw new PlashError(`${url}: checksum mismatch: got ${digest}, --checksum says ${checksum}`);
    }
  }
  const dest = request.dest.endsWith("/") ? `${request.dest}${name}` : request.dest;
  return [{
    dest,
    type: "file",
    source: file,
    mode: request.mode ?? 0o600,
    uid: request.owner?.uid ?? 0,
    gid: request.owner?.gid ?? 0,
    mtime: Date.now() / 1000,
  }];
}
