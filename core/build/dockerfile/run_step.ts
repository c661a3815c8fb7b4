/**
 * RUN: its command (exec form, shell form under SHELL, heredocs), the
 * environment docker gives it (the stage's ENV over the ARGs in scope, the
 * default PATH when none is set, HOME of root when no USER says otherwise,
 * nothing of the host's), its `--mount`s as binds, and what keys it.
 *
 * @example
 * ```ts
 * import { runCommand } from "./run_step.ts";
 *
 * const run = { keyword: "RUN", line: 2, flags: [], args: "make", heredocs: [], text: "RUN make" };
 * runCommand(run, {}); // { argv: ["/bin/sh", "-c", "make"], stdin: "" }
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import { lazyImport } from "../../lazy_import.ts";
import { DEFAULT_PATH } from "../../runtime/environment.ts";
import type { Network } from "../../runtime/container_spec.ts";
import type { Volume } from "../../runtime/run_options.ts";
import type { ImageConfig } from "../../store/image_config.ts";
import { removeTree } from "../../store/tmp.ts";
import { findMerged } from "../../tree/merged_path.ts";
import { hashMerged, hashPath } from "../hash_path.ts";
import type { StageBuilder } from "./stage_builder.ts";
import { commandOf, DEFAULT_SHELL, joinWorkdir } from "./config_instructions.ts";
import type { Instruction } from "./parse.ts";
import { findStage } from "./stages.ts";

/** The command a RUN runs, and what it reads on stdin (nothing but a script's text). */
export function runCommand(
  instruction: Instruction,
  config: ImageConfig,
): { argv: string[]; stdin: string } {
  const { heredocs, args } = instruction;
  if (heredocs.length === 0) return { argv: commandOf(instruction, config), stdin: "" };
  const shell = config.shell ?? DEFAULT_SHELL;
  // `RUN <<EOF`: the heredoc is the script; else the shell reads the heredocs itself.
  if (heredocs.length === 1 && /^<<-?(["']?)[^\s"']+\1$/.test(args)) {
    const script = heredocs[0].content;
    // A script starting with `#!` runs under its interpreter, as BuildKit runs it; it reads
    // the script from stdin (`python3 /dev/stdin`) rather than from a file in the image.
    const shebang = /^#!\s*(\S.*)\n/.exec(script);
    if (shebang) return { argv: [...shebang[1].trim().split(/\s+/), "/dev/stdin"], stdin: script };
    return { argv: [...shell, script], stdin: "" };
  }
  const bodies = heredocs.map((heredoc) => `${heredoc.content}${heredoc.name}\n`).join("");
  return { argv: [...shell, `${args}\n${bodies}`], stdin: "" };
}

/**
 * Prepares `instruction` in the stage `builder` builds: pushes onto `parts`
 * what keys it; returns what runs it.
 */
export async function runStep(
  builder: StageBuilder,
  instruction: Instruction,
  parts: unknown[],
): Promise<(config: ImageConfig) => Promise<number>> {
  const config = builder.config;
  const { argv, stdin } = runCommand(instruction, config);
  const vars: Record<string, string> = { ...builder.args, ...config.env };
  vars.PATH ??= DEFAULT_PATH;
  if (!config.user) vars.HOME ??= "/root";
  const env = Object.entries(vars).map(([name, value]) => `${name}=${value}`);
  const workdir = config.workdir ?? "/";
  const mounts: MountSpec[] = [];
  let network: Network = "host";
  for (const { name, value } of instruction.flags) {
    if (name === "mount") mounts.push(parseMount(value, workdir));
    else if (name === "network") network = parseNetwork(value);
    else throw new PlashError(`unknown flag --${name}`);
  }
  const mountKeys = [];
  for (const mount of mounts) mountKeys.push(await mountKey(builder, mount));
  parts.push(argv, stdin, env, config.user ?? "", workdir, mountKeys);
  // Only `none` keys the step: steps that share the host's network keep their old keys.
  if (network === "none") parts.push("network=none");
  return async (changes) => {
    const cleanup: string[] = [];
    try {
      const volumes = [];
      for (const mount of mounts) volumes.push(await mountVolume(builder, mount, cleanup));
      // The runtime is loaded only when a RUN runs: a cached build needs none of it.
      const { createImage } = await lazyImport("createImage");
      return await createImage(builder.store, builder.id, argv, {
        config: changes,
        dockerfileStep: { env, network },
        options: { workdir, user: config.user || undefined, volumes },
        stdin: new TextEncoder().encode(stdin),
        what: `${builder.build.file}:${instruction.line}: ${instruction.text}`,
      });
    } finally {
      for (const dir of cleanup) removeTree(dir);
    }
  };
}

/** `RUN --network=`: `default` and `host` are the host's network, as plash shares it. */
function parseNetwork(value: string): Network {
  if (value === "none") return "none";
  if (value === "host" || value === "default") return "host";
  throw new PlashError(`--network=${value}: only none, host and default are supported`);
}

/** A `RUN --mount` as written. */
interface MountSpec {
  type: "bind" | "cache" | "tmpfs" | "secret";
  target: string;
  source: string;
  from?: string;
  readOnly: boolean;
  id?: string;
  required: boolean;
}

function parseMount(text: string, workdir: string): MountSpec {
  const fields: Record<string, string> = {};
  for (const part of text.split(",")) {
    const equals = part.indexOf("=");
    fields[equals < 0 ? part : part.slice(0, equals)] = equals < 0
      ? "true"
      : part.slice(equals + 1);
  }
  const type = fields.type ?? "bind";
  if (!["bind", "cache", "tmpfs", "secret"].includes(type)) {
    throw new PlashError(`--mount=${text}: type ${type} is not supported`);
  }
  const id = fields.id;
  const target = fields.target ?? fields.dst ?? fields.destination ??
    (type === "secret" ? `/run/secrets/${id}` : undefined);
  if (!target) throw new PlashError(`--mount=${text}: no target`);
  const rw = fields.rw === "true" || fields.readwrite === "true" ||
    fields.readonly === "false" || fields.ro === "false";
  return {
    type: type as MountSpec["type"],
    target: joinWorkdir(workdir, target),
    source: fields.source ?? fields.src ?? "",
    from: fields.from,
    // Bind mounts are read-only unless rw; cache and tmpfs mounts are writable.
    readOnly: type === "bind" || type === "secret"
      ? !rw
      : fields.ro === "true" || fields.readonly === "true",
    id,
    required: fields.required === "true",
  };
}

/** What keys a mount: a bind's content (its source's digest), not a cache's. */
async function mountKey(builder: StageBuilder, mount: MountSpec): Promise<unknown[]> {
  const base = [mount.type, mount.target, mount.readOnly];
  if (mount.type !== "bind") return [...base, mount.id ?? ""];
  const source = bindSource(builder, mount);
  const digest = "layers" in source ? await hashMerged(source.layers) : await hashPath(source.path);
  return [...base, mount.from ?? "", mount.source, digest];
}

/**
 * What a bind mount shows: a host path in the context (its symlinks kept
 * inside it) or a file of an earlier stage's image, or a directory of that
 * image as the layers merged there (symlinks resolved inside the image).
 */
function bindSource(builder: StageBuilder, mount: MountSpec): { path: string } | {
  layers: string[];
} {
  if (mount.from === undefined) {
    const [path] = builder.context.match(mount.source || ".");
    return { path: builder.context.hostPath(path) };
  }
  const stage = findStage(builder.graph, mount.from);
  if (stage === undefined || !builder.built.has(stage.index)) {
    throw new PlashError(`--mount from=${mount.from}: no earlier stage of that name`);
  }
  const layers = builder.layers(builder.built.get(stage.index)!);
  const file = findMerged(layers, mount.source);
  if (file === undefined) {
    throw new PlashError(`--mount from=${mount.from}: no such file in that stage: ${mount.source}`);
  }
  return file.info.isDirectory ? { layers: file.merged } : { path: file.source };
}

async function mountVolume(
  builder: StageBuilder,
  mount: MountSpec,
  cleanup: string[],
): Promise<Volume> {
  const bind = (source: string): Volume => ({
    source,
    target: mount.target,
    readOnly: mount.readOnly,
  });
  switch (mount.type) {
    case "bind": {
      const source = bindSource(builder, mount);
      if (mount.readOnly && "path" in source) return bind(source.path);
      // A stage's directory is its layers merged, in a copy; an rw bind writes into a copy too,
      // thrown away after the step, as BuildKit's rw binds are.
      const dir = builder.store.makeTmpDir();
      cleanup.push(dir);
      const copy = `${dir}/copy`;
      if ("layers" in source || Deno.statSync(source.path).isDirectory) {
        const { copyTree } = await lazyImport("copyTree");
        if ("layers" in source) copyTree(source.layers, copy);
        else copyTree([source.path], copy, { verbatim: true });
      } else {
        Deno.copyFileSync(source.path, copy);
      }
      return bind(copy);
    }
    case "tmpfs": {
      const dir = builder.store.makeTmpDir();
      cleanup.push(dir);
      return bind(dir);
    }
    case "secret": {
      const source = builder.build.secrets?.[mount.id ?? ""];
      if (source === undefined) {
        throw new PlashError(`--mount type=secret: no --secret id=${mount.id}`);
      }
      return bind(source);
    }
    case "cache":
      return bind(cacheDir(builder, mount));
  }
}

/** The directory of a cache mount, kept in the store across builds, by id (else target). */
function cacheDir(builder: StageBuilder, mount: MountSpec): string {
  const name = (mount.id ?? mount.target).replace(/[^A-Za-z0-9._-]/g, "_");
  const dir = builder.store.budCacheDir(name);
  Deno.mkdirSync(dir, { recursive: true });
  return dir;
}
