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
 * @module
 */

import { lazyImport } from "../../lazy_import.ts";
import { addConfigLayer } from "../../store/config_layer.ts";
import type { Store } from "../../store/store.ts";
import { BuildContext } from "./context.ts";
import { parseDockerfile } from "./parse.ts";
import { globalArgs } from "./args.ts";
import { type RegistryCaches, StageBuilder } from "./stage_builder.ts";
import { neededStages, splitStages, targetStage } from "./stages.ts";
import "../../tree/flatten.ts"; // publishes images: lets the store make checkpoints

/**
 * What to build and how.
 *
 * @example
 * ```ts
 * import type { DockerfileBuild } from "./build_dockerfile.ts";
 *
 * // `plash bud -f Dockerfile --build-arg V=1 .`
 * const build: DockerfileBuild = {
 *   text: "FROM scratch\nARG V\nCOPY . /src\n",
 *   file: "Dockerfile",
 *   path: "./Dockerfile",
 *   context: ".",
 *   buildArgs: { V: "1" },
 * };
 * ```
 */
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
  /** `--target`: the stage to build (and those it needs); the last one by default. */
  target?: string;
  /** `--no-cache`: every step runs, none is taken from the cache. */
  noCache?: boolean;
  /** `--cache-from` repositories (`REG/REPO`): layers missing here are looked up there. */
  cacheFrom?: string[];
  /** `--cache-to` repositories: each layer of the build is put there. */
  cacheTo?: string[];
  /** `--label`s of the final image. */
  labels?: Record<string, string>;
  /** `--secret` id to host file. */
  secrets?: Record<string, string>;
  /** `--ignorefile`: the ignore file instead of the context's `.dockerignore`. */
  ignoreFile?: string;
  /** `-q`: no step traces, no progress. */
  quiet?: boolean;
  /** Filled, when given, with what a build of the same steps all from the cache prints on stderr. */
  cachedTrace?: string[];
}

/**
 * Builds `build` in `store`; returns the id of the target stage's image.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildDockerfile } from "./build_dockerfile.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const context = Deno.makeTempDirSync();
 * Deno.copyFileSync("/bin/busybox", `${context}/sh`); // a static shell
 * const id = await buildDockerfile(store, {
 *   text: "FROM scratch\nCOPY sh /bin/sh\nRUN echo hi > /hi\n",
 *   file: "Dockerfile",
 *   context,
 *   quiet: true,
 * });
 * assert.equal(Deno.readTextFileSync(`${store.layer(id)}/hi`), "hi\n");
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(context, { recursive: true });
 * ```
 */
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

async function registryCaches(
  store: Store,
  build: DockerfileBuild,
): Promise<RegistryCaches | undefined> {
  if (!build.cacheFrom?.length && !build.cacheTo?.length) return undefined;
  const { Cache, portableKey } = await lazyImport("registryCache");
  const open = (names: string[] = []) => names.map((name) => new Cache(store, name));
  return {
    from: open(build.cacheFrom),
    to: open(build.cacheTo),
    portableKey: (id) => portableKey(store, id),
  };
}
