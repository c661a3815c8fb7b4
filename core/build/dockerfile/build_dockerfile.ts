/**
 * Building a Dockerfile (`plash bud`): the stages the target needs, in
 * order, each instruction keyed on the one before it. RUN, COPY and ADD
 * make a layer each, cached in the map under `cache:<key>` as the macros'
 * layers are; the other instructions change the config, which the next
 * layer (or a last config-only layer) carries. A key holds everything the
 * step depends on (the base image, the instruction expanded, the build
 * args and environment a RUN sees, the names, modes, owners and contents a
 * COPY copies), so an unchanged build runs nothing and a changed file
 * rebuilds from its COPY on.
 *
 * @example
 * ```ts
 * import { buildDockerfile } from "./build_dockerfile.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const id = await buildDockerfile(Store.open(), {
 *   text: "FROM busybox\nRUN echo hi > /hi\n",
 *   file: "Dockerfile",
 *   context: "/src/app",
 * });
 * ```
 *
 * @module
 */

import { PlashError, reason } from "../../errors.ts";
import { DEFAULT_PATH } from "../../runtime/environment.ts";
import { lazyImport } from "../../lazy_import.ts";
import { addConfigLayer } from "../../store/config_layer.ts";
import { type ImageConfig, mergeConfig } from "../../store/image_config.ts";
import { parseImageId } from "../../store/ids.ts";
import { KEYS } from "../../store/keys.ts";
import type { Store } from "../../store/store.ts";
import { sha256Hex } from "../../sha256.ts";
import { configChange } from "./config_instructions.ts";
import { BuildContext } from "./context.ts";
import { type Instruction, parseDockerfile } from "./parse.ts";
import { predefinedArgs } from "./platform_args.ts";
import { runStep } from "./run_step.ts";
import { copyStep } from "./copy_step.ts";
import type { CopyItem } from "./copy_plan.ts";
import { lookupInLayers } from "./image_path.ts";
import {
  findStage,
  neededStages,
  splitStages,
  type Stage,
  type StageGraph,
  targetStage,
} from "./stages.ts";
import { expandWord, splitWords, type Variables } from "./words.ts";

/** What to build and how. */
export interface DockerfileBuild {
  /** The Dockerfile's text. */
  text: string;
  /** How errors name it (`Dockerfile`, `-` for stdin). */
  file: string;
  /** Its path on the host, for `FILE.dockerignore`; undefined when read from stdin. */
  path?: string;
  /** The context directory, absolute. */
  context: string;
  /** `--build-arg` values. */
  buildArgs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  /** `--label`s of the final image. */
  labels?: Record<string, string>;
  /** `--secret` id to host file. */
  secrets?: Record<string, string>;
  ignoreFile?: string;
  quiet?: boolean;
}

/** Bumped when what a step's key means changes. */
const VERSION = "plash-bud-1";

/** Builds `build` in `store`; returns the id of the target stage's image. */
export async function buildDockerfile(store: Store, build: DockerfileBuild): Promise<number> {
  const graph = splitStages(parseDockerfile(build.text, build.file), build.file);
  const context = BuildContext.open(build.context, build.path, build.ignoreFile);
  const globals = globalArgs(graph, build.buildArgs ?? {});
  const target = targetStage(graph, build.target);
  const needed = neededStages(graph, target.index, globals);
  const built = new Map<number, number>();
  let id = 0;
  for (const index of needed) {
    const stage = graph.stages[index];
    const prefix = needed.length > 1 ? `[${needed.indexOf(index) + 1}/${needed.length}] ` : "";
    id = await new StageBuilder(store, graph, build, context, built, globals, prefix).buildStage(
      stage,
    );
    built.set(index, id);
  }
  if (build.labels && Object.keys(build.labels).length) {
    id = await cachedStep(
      store,
      await stepKey(`image:${id}`, ["--label", build.labels]),
      !!build.noCache,
      () => Promise.resolve(addConfigLayer(store, id, { labels: build.labels })),
    );
  }
  return id;
}

/** The global ARGs' values: defaults, overridden by `--build-arg`, and the predefined ones. */
function globalArgs(graph: StageGraph, buildArgs: Record<string, string>): Variables {
  const vars: Variables = { ...predefinedArgs() };
  for (const instruction of graph.globalArgs) {
    for (const [name, value] of argDeclarations(instruction.args, vars, graph.escape)) {
      const given = buildArgs[name] ?? value;
      if (given !== undefined) vars[name] = given;
    }
  }
  return vars;
}

/** `ARG a b=2`: each name and its default, expanded. */
function argDeclarations(args: string, vars: Variables, escape: string): [string, string?][] {
  return splitWords(args, escape).map((word) => {
    const equals = word.indexOf("=");
    if (equals < 0) return [word];
    return [word.slice(0, equals), expandWord(word.slice(equals + 1), vars, escape)];
  });
}

async function stepKey(parent: string, parts: unknown[]): Promise<string> {
  return await sha256Hex(new TextEncoder().encode(JSON.stringify([VERSION, parent, ...parts])));
}

/**
 * The image cached for `key`, else the one `make` makes (then cached). The
 * key's lock is held while it is made, so concurrent builds make it once.
 */
async function cachedStep(
  store: Store,
  key: string,
  noCache: boolean,
  make: () => Promise<number>,
  onCached?: (id: number) => void,
): Promise<number> {
  const mapKey = KEYS.cache(key);
  if (!noCache) {
    const found = store.getMap(mapKey);
    if (found !== undefined) return onCached?.(found), found;
  }
  return await store.withLock(mapKey, async () => {
    const found = noCache ? undefined : store.getMap(mapKey);
    if (found !== undefined) return onCached?.(found), found;
    const made = await make();
    store.setMap(mapKey, made);
    return made;
  });
}

/** One stage's build: the image so far, its key, the config and variables in scope. */
class StageBuilder {
  id = 0;
  key = "";
  config: ImageConfig = {};
  /** Config changes since the last layer: the next layer carries them. */
  pending: ImageConfig = {};
  args: Variables = {};
  cmdSet = false;
  step = 0;
  steps = 0;

  constructor(
    readonly store: Store,
    readonly graph: StageGraph,
    readonly build: DockerfileBuild,
    readonly context: BuildContext,
    readonly built: Map<number, number>,
    readonly globals: Variables,
    readonly prefix: string,
  ) {}

  /** The variables expansion sees: the ARGs in scope, then the ENV over them. */
  get vars(): Variables {
    return { ...this.args, ...this.config.env };
  }

  async buildStage(stage: Stage): Promise<number> {
    this.steps = stage.instructions.length + 1;
    this.trace(stage.from.text);
    await this.from(stage);
    const triggers = this.config.onBuild ?? [];
    if (triggers.length) {
      // ONBUILD triggers of the base run first, and are not passed on.
      this.change({ onBuild: [] });
      const parsed = parseDockerfile(triggers.join("\n") + "\n", `${stage.from.text} ONBUILD`);
      for (const instruction of parsed.instructions) await this.instruction(instruction);
    }
    for (const instruction of stage.instructions) {
      this.trace(instruction.text);
      try {
        await this.instruction(instruction);
      } catch (error) {
        if (!(error instanceof PlashError) || error.message.startsWith(this.build.file)) {
          throw error;
        }
        throw new PlashError(
          `${this.build.file}:${instruction.line}: ${instruction.keyword}: ${reason(error)}`,
          { exitCode: error.exitCode, cause: error },
        );
      }
    }
    if (Object.keys(this.pending).length) {
      const pending = this.pending;
      this.id = await cachedStep(
        this.store,
        this.key,
        !!this.build.noCache,
        () => Promise.resolve(addConfigLayer(this.store, this.id, pending)),
      );
    }
    return this.id;
  }

  trace(text: string): void {
    this.step++;
    if (!this.build.quiet) console.error(`${this.prefix}STEP ${this.step}/${this.steps}: ${text}`);
  }

  async from(stage: Stage): Promise<void> {
    const base = expandWord(stage.base, this.globals, this.graph.escape);
    const where = `${this.build.file}:${stage.from.line}`;
    const earlier = findStage(this.graph, base, { byIndex: false });
    if (earlier && earlier.index < stage.index) {
      this.id = this.built.get(earlier.index)!;
    } else if (base === "scratch") {
      this.id = 0;
    } else {
      this.id = await baseImage(this.store, base, where);
    }
    this.key = `image:${this.id}`;
    this.config = this.store.config(this.id);
    // As BuildKit and buildah: a base without PATH gets the default one, in the image too.
    if (this.config.env?.PATH === undefined) this.change({ env: { PATH: DEFAULT_PATH } });
    for (const flag of stage.from.flags) {
      if (flag.name !== "platform") {
        throw new PlashError(`${where}: FROM: unknown flag --${flag.name}`);
      }
      const platform = expandWord(flag.value, this.globals, this.graph.escape);
      if (platform !== this.globals.TARGETPLATFORM && platform !== this.globals.BUILDPLATFORM) {
        throw new PlashError(
          `${where}: FROM --platform=${platform}: only this host's platform (${this.globals.TARGETPLATFORM}) is built`,
        );
      }
    }
  }

  change(change: ImageConfig): void {
    this.pending = mergeConfig(this.pending, change);
    this.config = mergeConfig(this.config, change);
  }

  async instruction(instruction: Instruction): Promise<void> {
    const state = {
      config: this.config,
      vars: this.vars,
      cmdSet: this.cmdSet,
      escape: this.graph.escape,
    };
    switch (instruction.keyword) {
      case "ARG":
        for (
          const [name, value] of argDeclarations(instruction.args, this.vars, this.graph.escape)
        ) {
          const given = this.build.buildArgs?.[name] ?? value ?? this.globals[name];
          this.args[name] = given ?? "";
        }
        this.key = await stepKey(this.key, ["ARG", instruction.args]);
        return;
      case "RUN":
        return await this.layer(instruction, (parts) => runStep(this, instruction, parts));
      case "COPY":
      case "ADD":
        return await this.layer(instruction, (parts) => copyStep(this, instruction, parts));
      case "FROM":
        throw new PlashError("FROM in ONBUILD");
    }
    const change = configChange(instruction, state);
    if (instruction.keyword === "CMD") this.cmdSet = true;
    this.change(change);
    this.key = await stepKey(this.key, [instruction.keyword, change]);
    if (change.workdir !== undefined) await this.makeWorkdir(instruction, change.workdir);
  }

  /** WORKDIR's directory, made (0755, root's) in a layer of its own when the image lacks it. */
  async makeWorkdir(instruction: Instruction, workdir: string): Promise<void> {
    if (lookupInLayers(this.layers(), workdir)?.info.isDirectory) return;
    const item: CopyItem = {
      dest: workdir,
      type: "dir",
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtime: Date.now() / 1000,
    };
    await this.layer(instruction, (parts) => {
      parts.push(workdir);
      const layers = this.layers();
      return Promise.resolve(async (config) => {
        const { addCopyLayer } = await loadCopyLayer();
        return addCopyLayer(this.store, this.id, layers, [item], config);
      });
    });
  }

  /**
   * A layer step: `prepare` says what keys it (pushing onto `parts`) and
   * returns what makes it; the pending config goes with it.
   */
  async layer(
    instruction: Instruction,
    prepare: (parts: unknown[]) => Promise<(config: ImageConfig) => Promise<number>>,
  ): Promise<void> {
    const parts: unknown[] = [instruction.keyword];
    const make = await prepare(parts);
    this.key = await stepKey(this.key, parts);
    const pending = this.pending;
    this.id = await cachedStep(
      this.store,
      this.key,
      !!this.build.noCache,
      () => make(pending),
      (id) => {
        if (!this.build.quiet) console.error(`--> Using cache ${id}`);
      },
    );
    this.pending = {};
  }

  /** The image's layers, the top first. */
  layers(id = this.id): string[] {
    return this.store.layersOf(this.store.chain(id));
  }
}

export type { StageBuilder };

/** The image a FROM names: an image of the store, else pulled as podman build pulls it. */
async function baseImage(store: Store, base: string, where: string): Promise<number> {
  try {
    if (/^\d+$/.test(base)) return store.chain(parseImageId(base)).at(-1)!;
    const { resolveImage } = await lazyImport<typeof import("../../images/names.ts")>(
      "core/images/names.ts",
    );
    return await resolveImage(store, base);
  } catch (error) {
    if (/^\d+$/.test(base)) throw new PlashError(`${where}: FROM ${base}: ${reason(error)}`);
  }
  const [{ pullImage }, { interruptible }] = await Promise.all([
    lazyImport<typeof import("../../images/registry/pull.ts")>("core/images/registry/pull.ts"),
    lazyImport<typeof import("../../images/interrupt.ts")>("core/images/interrupt.ts"),
  ]);
  try {
    return await interruptible(
      store,
      `pull ${base}`,
      (signal) => pullImage(store, base, {}, signal),
    );
  } catch (error) {
    throw new PlashError(`${where}: FROM ${base}: ${reason(error)}`, { cause: error });
  }
}

/**
 * The writer of COPY layers, loaded only when a layer is made: it imports the
 * tar code, which a cached build does not need.
 */
export function loadCopyLayer(): Promise<typeof import("./copy_layer.ts")> {
  return lazyImport<typeof import("./copy_layer.ts")>("core/build/dockerfile/copy_layer.ts");
}
