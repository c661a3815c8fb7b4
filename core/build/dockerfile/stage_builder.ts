/**
 * One stage of a Dockerfile build: the image so far, its cache key (and its
 * registry key), the config and the variables in scope, and each
 * instruction applied to them (see `build_dockerfile.ts`). Every step that
 * makes an image goes through {@linkcode StageBuilder.step}: the map's
 * cache, the `--cache-from` registries, then the step itself.
 *
 * @module
 */

import { PlashError, reason } from "../../errors.ts";
import { lazyImport } from "../../lazy_import.ts";
import { DEFAULT_PATH } from "../../runtime/environment.ts";
import { orAsImageRoot } from "../../runtime/image_root_reader.ts";
import { sha256Hex } from "../../sha256.ts";
import { addConfigLayer } from "../../store/config_layer.ts";
import { type ImageConfig, mergeConfig } from "../../store/image_config.ts";
import { KEYS } from "../../store/keys.ts";
import type { Store } from "../../store/store.ts";
import { findMerged } from "../../tree/merged_path.ts";
import type { Cache } from "../registry_cache.ts";
import { argDeclarations } from "./args.ts";
import type { DockerfileBuild } from "./build_dockerfile.ts";
import { localImage } from "./build_memo.ts";
import { configChange } from "./config_instructions.ts";
import type { BuildContext } from "./context.ts";
import { copyStep } from "./copy_step.ts";
import type { CopyItem } from "./copy_plan.ts";
import { type Instruction, parseDockerfile } from "./parse.ts";
import { runStep } from "./run_step.ts";
import { findStage, type Stage, type StageGraph } from "./stages.ts";
import { expandWord, type Variables } from "./words.ts";
import "../../tree/flatten.ts"; // publishes images: lets the store make checkpoints

/** Bumped when what a step's key means changes. */
const VERSION = "plash-bud-1";

/** The registry caches of a build, loaded only when it names some. */
export interface RegistryCaches {
  from: Cache[];
  to: Cache[];
  /** A key of image `id` that means the same on any machine. */
  portableKey(id: number): Promise<string>;
}

/** A step's key: its parent's and what keys the step, hashed together. */
async function stepKey(parent: string, parts: unknown[]): Promise<string> {
  return await sha256Hex(new TextEncoder().encode(JSON.stringify([VERSION, parent, ...parts])));
}

/** One stage's build: the image so far, its key, the config and variables in scope. */
export class StageBuilder {
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
    const line = `${this.prefix}STEP ${this.stepNumber}/${this.steps}: ${text}`;
    this.build.cachedTrace?.push(line);
    if (!this.build.quiet) console.error(line);
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

  /**
   * WORKDIR's directory, made 0755 in a layer of its own when the image lacks
   * it, owned by the stage's USER (as buildah makes it).
   */
  async makeWorkdir(instruction: Instruction, workdir: string): Promise<void> {
    const layers = this.layers();
    // A directory on the way that is closed to a caller without root: go on as root of plash's
    // user namespace, as a COPY does.
    const found = await orAsImageRoot(() => Promise.resolve(findMerged(layers, workdir)));
    if (found?.info.isDirectory) return;
    let owner = { uid: 0, gid: 0 };
    if (this.config.user) {
      const { userIds } = await lazyImport("chown");
      owner = userIds(this.config.user, layers);
    }
    const item: CopyItem = {
      dest: workdir,
      type: "dir",
      mode: 0o755,
      ...owner,
      mtime: Date.now() / 1000,
    };
    await this.layer(instruction, (parts) => {
      parts.push(workdir, owner);
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
    this.build.cachedTrace?.push(`--> Using cache ${found}`);
    for (const cache of this.caches?.to ?? []) {
      await cache.use((layers, signal) => layers.push(this.remoteKey, remoteParent, found, signal));
    }
  }

  /** The image's layers, the top first. */
  layers(id = this.id): string[] {
    return this.store.layersOf(this.store.chain(id));
  }
}

/**
 * The image `text` names (FROM, COPY --from): an image of the store (a
 * number is an id), else pulled as podman build pulls it. Errors are the
 * lookup's or the pull's, unwrapped.
 */
export async function imageNamed(store: Store, text: string): Promise<number> {
  const local = await localImage(store, text);
  if (local !== undefined) return local;
  // Not in the store: pulled as `pull` pulls, in this start (the import's chown in a child).
  const [{ pullImage }, { interruptible }] = await Promise.all([
    lazyImport("registryPull"),
    lazyImport("interrupt"),
  ]);
  return await interruptible(store, `pull ${text}`, (signal) => pullImage(store, text, {}, signal));
}

/**
 * The writer of COPY layers, loaded only when a layer is made: it imports the
 * tar code, which a cached build does not need.
 */
export function loadCopyLayer(): Promise<typeof import("./copy_layer.ts")> {
  return lazyImport("copyLayer");
}
