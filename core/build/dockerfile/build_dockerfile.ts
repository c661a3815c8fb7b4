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
import type { Cache } from "../registry_cache.ts";
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
  /** `--cache-from` repositories (`REG/REPO`): layers missing here are looked up there. */
  cacheFrom?: string[];
  /** `--cache-to` repositories: each layer of the build is put there. */
  cacheTo?: string[];
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
  const caches = await registryCaches(store, build);
  let last: StageBuilder | undefined;
  for (const index of needed) {
    const stage = graph.stages[index];
    const prefix = needed.length > 1 ? `[${needed.indexOf(index) + 1}/${needed.length}] ` : "";
    last = new StageBuilder(store, graph, build, context, built, globals, prefix, caches);
    built.set(index, await last.buildStage(stage));
  }
  if (build.labels && Object.keys(build.labels).length) {
    const labels = build.labels;
    await last!.step(
      ["--label", labels],
      (parent) => addConfigLayer(store, parent, { labels }),
      { labels },
    );
  }
  return last!.id;
}

/** The registry caches of a build, loaded only when it names some. */
interface RegistryCaches {
  from: Cache[];
  to: Cache[];
  /** A key of image `id` that means the same on any machine. */
  portableKey(id: number): Promise<string>;
}

async function registryCaches(
  store: Store,
  build: DockerfileBuild,
): Promise<RegistryCaches | undefined> {
  if (!build.cacheFrom?.length && !build.cacheTo?.length) return undefined;
  const { Cache, portableKey } = await lazyImport<typeof import("../registry_cache.ts")>(
    "core/build/registry_cache.ts",
  );
  const open = (names: string[] = []) => names.map((name) => new Cache(store, name));
  return {
    from: open(build.cacheFrom),
    to: open(build.cacheTo),
    portableKey: (id) => portableKey(store, id),
  };
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

/** One stage's build: the image so far, its key, the config and variables in scope. */
class StageBuilder {
  id = 0;
  key = "";
  /** The key in registry caches, grown from the base's portable key (with caches only). */
  remoteKey = "";
  /**
   * What keys the steps since the last image, hashed into the keys only when
   * the next image is made: one digest a layer, not one an instruction.
   */
  unhashed: unknown[] = [];
  config: ImageConfig = {};
  /** Config changes since the last layer: the next layer carries them. */
  pending: ImageConfig = {};
  args: Variables = {};
  cmdSet = false;
  stepNumber = 0;
  steps = 0;

  constructor(
    readonly store: Store,
    readonly graph: StageGraph,
    readonly build: DockerfileBuild,
    readonly context: BuildContext,
    readonly built: Map<number, number>,
    readonly globals: Variables,
    readonly prefix: string,
    readonly caches?: RegistryCaches,
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
      await this.step(
        ["config"],
        (parent) => addConfigLayer(this.store, parent, pending),
        pending,
      );
    }
    return this.id;
  }

  trace(text: string): void {
    this.stepNumber++;
    if (!this.build.quiet) {
      console.error(`${this.prefix}STEP ${this.stepNumber}/${this.steps}: ${text}`);
    }
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
      try {
        this.id = await imageNamed(this.store, base);
      } catch (error) {
        throw new PlashError(`${where}: FROM ${base}: ${reason(error)}`, { cause: error });
      }
    }
    this.key = `image:${this.id}`;
    if (this.caches) this.remoteKey = await this.caches.portableKey(this.id);
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
          // Declared without a value anywhere: unset, not empty (`${A-x}` tells them apart).
          if (given !== undefined) this.args[name] = given;
        }
        this.unhashed.push(["ARG", instruction.args]);
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
    this.unhashed.push([instruction.keyword, change]);
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
      return Promise.resolve(async (config: ImageConfig) => {
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
    const pending = this.pending;
    await this.step(parts, () => make(pending), pending);
    this.pending = {};
  }

  /** Grows the keys by the steps since the last image and a new step's `parts`. */
  async advance(parts: unknown[]): Promise<void> {
    const steps = [...this.unhashed, parts];
    this.unhashed = [];
    this.key = await stepKey(this.key, steps);
    if (this.caches) this.remoteKey = await stepKey(this.remoteKey, steps);
  }

  /**
   * A step that makes an image on the current one, keyed by `parts`: the
   * image cached for its key, else one from a `--cache-from` registry, else
   * the one `make` makes; then put in the `--cache-to` registries. The key's
   * lock is held while it is made, so concurrent builds make it once.
   */
  async step(
    parts: unknown[],
    make: (parent: number) => number | Promise<number>,
    config: ImageConfig = {},
  ): Promise<void> {
    const parent = this.id;
    const remoteParent = this.remoteKey;
    await this.advance(parts);
    const mapKey = KEYS.cache(this.key);
    const noCache = !!this.build.noCache;
    let found = noCache ? undefined : this.store.getMap(mapKey);
    if (found !== undefined) {
      if (!this.build.quiet) console.error(`--> Using cache ${found}`);
    } else {
      found = await this.store.withLock(mapKey, async () => {
        const again = noCache ? undefined : this.store.getMap(mapKey);
        if (again !== undefined) return again;
        let made: number | undefined;
        for (const cache of noCache ? [] : this.caches?.from ?? []) {
          made ??= await cache.use((layers, signal) =>
            layers.pull(this.remoteKey, parent, config, signal)
          );
        }
        made ??= await make(parent);
        this.store.setMap(mapKey, made);
        return made;
      });
    }
    this.id = found;
    for (const cache of this.caches?.to ?? []) {
      await cache.use((layers, signal) => layers.push(this.remoteKey, remoteParent, found, signal));
    }
  }

  /** The image's layers, the top first. */
  layers(id = this.id): string[] {
    return this.store.layersOf(this.store.chain(id));
  }
}

export type { StageBuilder };

/**
 * The image `text` names (FROM, COPY --from): an image of the store (a
 * number is an id), else pulled as podman build pulls it. Errors are the
 * lookup's or the pull's, unwrapped.
 */
export async function imageNamed(store: Store, text: string): Promise<number> {
  if (/^\d+$/.test(text)) return store.chain(parseImageId(text)).at(-1)!;
  // A name as written (names.ts's first rule) needs no resolver: one lookup, nothing loaded.
  const named = store.getMap(text);
  if (named !== undefined) return named;
  const { resolveImage } = await lazyImport<typeof import("../../images/names.ts")>(
    "core/images/names.ts",
  );
  try {
    return await resolveImage(store, text);
  } catch {
    // Not in the store: pulled.
  }
  const [{ pullImage }, { interruptible }] = await Promise.all([
    lazyImport<typeof import("../../images/registry/pull.ts")>("core/images/registry/pull.ts"),
    lazyImport<typeof import("../../images/interrupt.ts")>("core/images/interrupt.ts"),
  ]);
  return await interruptible(store, `pull ${text}`, (signal) => pullImage(store, text, {}, signal));
}

/**
 * The writer of COPY layers, loaded only when a layer is made: it imports the
 * tar code, which a cached build does not need.
 */
export function loadCopyLayer(): Promise<typeof import("./copy_layer.ts")> {
  return lazyImport<typeof import("./copy_layer.ts")>("core/build/dockerfile/copy_layer.ts");
}
