/**
 * Test support for `plash bud`: a build context written from a table of
 * files, and a build of it that must succeed.
 *
 * @module
 */

import type { Result, TestStore } from "./plash.ts";

/** A context's files: a path to its text, or to a symlink (`{ link }`) or a directory (`{}`). */
export type ContextFiles = Record<string, string | { link: string } | { dir: true }>;

/** Writes `files` into `dir` (made by the caller); returns `dir`. */
export function writeContext(dir: string, files: ContextFiles): string {
  for (const [path, content] of Object.entries(files)) {
    const full = `${dir}/${path}`;
    Deno.mkdirSync(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    if (typeof content === "string") Deno.writeTextFileSync(full, content);
    else if ("link" in content) Deno.symlinkSync(content.link, full);
    else Deno.mkdirSync(full, { recursive: true });
  }
  return dir;
}

/** `plash bud ARGS...`; the Dockerfile's `FROM BASE` lines say `FROM <base id>`. */
export function bud(store: TestStore, args: string[], stdin?: string): Promise<Result> {
  return store.plash(["bud", ...args], { stdin });
}

/** `plash bud -q ARGS...`, which must succeed; returns the image id (stdout's last line). */
export async function budOk(store: TestStore, args: string[]): Promise<string> {
  const result = await bud(store, ["-q", ...args]);
  if (result.code !== 0) throw new Error(`plash bud ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim().split("\n").at(-1)!;
}

/**
 * A stage `hider`, from `base`, whose upper layers hide what its first RUN
 * made under /opq (now an opaque directory), /mid (a whiteout below a new
 * directory) and /ln (now a symlink to /real): each one's `sub/f` and `deep`.
 */
export function hidingStage(base: string): string[] {
  return [
    `FROM ${base} AS hider`,
    "RUN mkdir -p /opq/sub /opq/deep /mid/sub /mid/deep /ln/sub /real && " +
    "echo lower | tee /opq/sub/f /mid/sub/f /ln/sub/f >/dev/null",
    "RUN rm -r /opq /mid /ln && mkdir /opq && ln -s real /ln",
    "RUN mkdir /mid && echo upper > /mid/top",
  ];
}

/** From {@linkcode hidingStage}: COPYs and WORKDIRs through the paths it hides. */
export const THROUGH_HIDDEN_PATHS = [
  "FROM hider",
  "COPY a.txt /opq/sub",
  "COPY a.txt /mid/sub",
  "COPY a.txt /ln/sub",
  "WORKDIR /opq/deep",
  "WORKDIR /mid/deep",
];

/** The OCI image config `plash export-oci ID DIR` writes (DIR must not exist). */
export async function ociConfig(
  store: TestStore,
  id: string,
  dir: string,
): Promise<{ config: Record<string, unknown>; author?: string }> {
  await store.ok(["export-oci", id, dir]);
  const blob = (digest: string) =>
    JSON.parse(Deno.readTextFileSync(`${dir}/blobs/sha256/${digest.slice("sha256:".length)}`));
  const index = JSON.parse(Deno.readTextFileSync(`${dir}/index.json`));
  return blob(blob(index.manifests[0].digest).config.digest);
}
