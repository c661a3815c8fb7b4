/**
 * What an image declares for its runs besides its files: environment,
 * command, working directory, mounts. Kept as `<node>/_data/config.json`,
 * complete in every image (a child starts from a copy of its parent's).
 *
 * @module
 */

import { nodeConfigFile } from "./layout.ts";

/**
 * The run-time settings of an image.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ImageConfig } from "./image_config.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const config: ImageConfig = { env: { LANG: "C.UTF-8" }, cmd: ["sh"], workdir: "/srv" };
 * const id = store.addLayer(0, store.makeTmpDir(), config);
 * assert.equal(store.config(id).workdir, "/srv");
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export interface ImageConfig {
  /** Variables set in the container (OCI `Env`, `plash build --env NAME=VALUE`). */
  env?: Record<string, string>;
  /** Host variables passed into every run (`--env NAME`). */
  importEnv?: string[];
  /** Host variables whose names start with one of these are passed in (`--env-prefix`). */
  importEnvPrefixes?: string[];
  /** Started before the command (OCI `Entrypoint`, `--entrypoint`). */
  entrypoint?: string[];
  /** The command when none is given (OCI `Cmd`). */
  cmd?: string[];
  /** Working directory for runs with no usable caller cwd (OCI `WorkingDir`). */
  workdir?: string;
  /**
   * The user commands should run as (OCI `User`, the `--user` macro: `name`,
   * `uid`, `name:group`, `uid:gid`); runs switch to it unless `-u` says
   * otherwise (see `core/runtime/become_user.ts`).
   */
  user?: string;
  /** Host paths bind-mounted into every run (`--mount SRC[:DST]`). */
  mounts?: { source: string; target: string }[];
  /** Devices every run gets (the `--device` macro), as `plash run --device` takes them. */
  devices?: string[];
  /** When the image was made, ISO 8601. */
  created?: string;
  /** Metadata (OCI `Labels`, a Dockerfile's LABEL). */
  labels?: Record<string, string>;
  /** Ports the image's program listens on, `80/tcp` (OCI `ExposedPorts`, EXPOSE). */
  exposedPorts?: string[];
  /** Paths meant to hold volumes (OCI `Volumes`, VOLUME). */
  volumes?: string[];
  /** The signal that stops its program (OCI `StopSignal`, STOPSIGNAL). */
  stopSignal?: string;
  /** HEALTHCHECK, as docker keeps it (`Healthcheck`: Test, Interval, ... in nanoseconds). */
  healthcheck?: Healthcheck;
  /** The shell of shell-form RUN, CMD and ENTRYPOINT (docker's `Shell`, SHELL). */
  shell?: string[];
  /** Instructions a build FROM this image runs first (docker's `OnBuild`, ONBUILD). */
  onBuild?: string[];
  /** Who made it (OCI `author`, MAINTAINER). */
  author?: string;
}

/**
 * A HEALTHCHECK in docker's field names (durations in nanoseconds).
 *
 * @example
 * ```ts
 * import type { Healthcheck } from "./image_config.ts";
 *
 * // HEALTHCHECK --interval=30s CMD curl -f http://localhost/
 * const check: Healthcheck = { Test: ["CMD", "curl", "-f", "http://localhost/"], Interval: 30e9 };
 * ```
 */
export interface Healthcheck {
  /** `["NONE"]`, `["CMD", ARG...]` or `["CMD-SHELL", COMMAND]`. */
  Test: string[];
  /** Time between two checks. */
  Interval?: number;
  /** How long a check may take before it counts as failed. */
  Timeout?: number;
  /** Time to start in, during which failures do not count. */
  StartPeriod?: number;
  /** Time between two checks during the start period. */
  StartInterval?: number;
  /** Failures in a row that make the container unhealthy. */
  Retries?: number;
}

/** Reads the config of the node at `node`; an image without one declares nothing. */
export function readConfig(node: string): ImageConfig {
  return readConfigFile(node) ?? {};
}

/**
 * Reads the config of the node at `node`; undefined when there is no such
 * file (also when there is no such node: a config read proves the node is
 * there, without a stat of its own).
 */
export function readConfigFile(node: string): ImageConfig | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(nodeConfigFile(node)));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** A child's config: the parent's, with `changes` laid over it. */
export function mergeConfig(parent: ImageConfig, changes: ImageConfig): ImageConfig {
  return {
    ...parent,
    ...changes,
    env: { ...parent.env, ...changes.env },
    importEnv: [...new Set([...(parent.importEnv ?? []), ...(changes.importEnv ?? [])])],
    importEnvPrefixes: [
      ...new Set([...(parent.importEnvPrefixes ?? []), ...(changes.importEnvPrefixes ?? [])]),
    ],
    mounts: [...(parent.mounts ?? []), ...(changes.mounts ?? [])],
    ...(parent.labels || changes.labels ? { labels: { ...parent.labels, ...changes.labels } } : {}),
    ...(parent.exposedPorts || changes.exposedPorts
      ? { exposedPorts: union(parent.exposedPorts, changes.exposedPorts) }
      : {}),
    ...(parent.volumes || changes.volumes
      ? { volumes: union(parent.volumes, changes.volumes) }
      : {}),
    // Only when some image asked for one: older configs stay byte for byte.
    ...(parent.devices || changes.devices
      ? { devices: [...new Set([...(parent.devices ?? []), ...(changes.devices ?? [])])] }
      : {}),
  };
}

function union(a: string[] = [], b: string[] = []): string[] {
  return [...new Set([...a, ...b])];
}
