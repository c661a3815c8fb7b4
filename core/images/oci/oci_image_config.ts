/**
 * Converting between plash's image config (the store's record,
 * `store/image_config.ts`) and an OCI image config, both ways: what an
 * import keeps of an image's config, and what an export or a push writes,
 * the config `docker run`, podman and Kubernetes read.
 *
 * Plash to OCI:
 *
 * | plash                      | OCI                                          |
 * | -------------------------- | -------------------------------------------- |
 * | `env`                      | `Env` (with plash's default `PATH` if unset) |
 * | `entrypoint`, `cmd`        | `Entrypoint`, `Cmd`                          |
 * | `workdir`, `user`          | `WorkingDir`, `User`                         |
 * | `mounts`                   | label `plash.mounts` (JSON), and a warning   |
 * | `importEnv`, `importEnvPrefixes` | labels `plash.env-pass`, `plash.env-prefixes` |
 * | `labels`, `exposedPorts`, `volumes`, `stopSignal` | `Labels`, `ExposedPorts`, `Volumes`, `StopSignal` |
 * | `healthcheck`, `shell`, `onBuild` | docker's `Healthcheck`, `Shell`, `OnBuild` (as BuildKit keeps them) |
 * | `author`                   | `author`                                     |
 * | `created` of each layer    | `history`, `created`                         |
 *
 * Host binds and host variables have no OCI form (an OCI runtime binds what
 * its user asks, not what an image says): they are kept as labels for
 * whoever reads them, and said in one warning line. Plash never reads them
 * back from an image it imports: an image must not bind host paths.
 *
 * @example
 * ```ts
 * import { ociImageConfig } from "./oci_image_config.ts";
 *
 * const { document } = ociImageConfig({
 *   config: { env: { A: "1" }, cmd: ["/bin/sh"] },
 *   layers: [{ id: 1, empty: false }],
 *   diffIds: [`sha256:${"0".repeat(64)}`],
 *   platform: { architecture: "amd64" },
 * });
 * ```
 *
 * @module
 */

import { DEFAULT_PATH } from "../../runtime/environment.ts";
import type { Healthcheck, ImageConfig } from "../../store/image_config.ts";
import type { ImageConfigBlob } from "./manifest.ts";
import type { WantedPlatform } from "./platform.ts";

/** What the config's history says of one exported plash layer. */
export interface LayerHistory {
  /** The image whose layer it is. */
  id: number;
  /** Whether it holds no files (an `empty_layer` entry). */
  empty: boolean;
  /** When it was made, ISO 8601, when the image says. */
  created?: string;
}

/** What an image config is made of. */
export interface OciConfigInput {
  /** The plash config of the image exported (its top layer's). */
  config: ImageConfig;
  /** The exported layers, the bottom one first, empty ones included. */
  layers: LayerHistory[];
  /** The diff_ids of the layers that are not empty, in order. */
  diffIds: string[];
  /** The platform the image says it is for. */
  platform: WantedPlatform;
}

/** An OCI image config, and the warning to print when plash settings had no OCI form. */
export interface OciConfigOutput {
  /** The config document, ready for `JSON.stringify`. */
  document: Record<string, unknown>;
  /** One line (without `plash warning: `), when something became a label only. */
  warning?: string;
}

/** Labels that keep plash settings without an OCI form. */
const LABELS = {
  mounts: "plash.mounts",
  importEnv: "plash.env-pass",
  importEnvPrefixes: "plash.env-prefixes",
} as const;

/** The OCI image config of `input`; see the module documentation. */
export function ociImageConfig(input: OciConfigInput): OciConfigOutput {
  const { config, layers, diffIds, platform } = input;
  const env = { ...config.env };
  const Env = [
    ...("PATH" in env ? [] : [`PATH=${DEFAULT_PATH}`]),
    ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
  ];
  const Labels: Record<string, string> = { ...config.labels };
  const moved: string[] = [];
  if (config.mounts?.length) {
    Labels[LABELS.mounts] = JSON.stringify(config.mounts);
    moved.push(`--mount ${config.mounts.map((m) => `${m.source}:${m.target}`).join(" ")}`);
  }
  if (config.importEnv?.length) {
    Labels[LABELS.importEnv] = JSON.stringify(config.importEnv);
    moved.push(`--env ${config.importEnv.join(" ")}`);
  }
  if (config.importEnvPrefixes?.length) {
    Labels[LABELS.importEnvPrefixes] = JSON.stringify(config.importEnvPrefixes);
    moved.push(`--env-prefix ${config.importEnvPrefixes.join(" ")}`);
  }
  const fields: Record<string, unknown> = { Env };
  if (config.entrypoint?.length) fields.Entrypoint = config.entrypoint;
  if (config.cmd?.length) fields.Cmd = config.cmd;
  if (config.workdir) fields.WorkingDir = config.workdir;
  if (config.user) fields.User = config.user;
  if (Object.keys(Labels).length) fields.Labels = Labels;
  if (config.exposedPorts?.length) fields.ExposedPorts = emptyObjects(config.exposedPorts);
  if (config.volumes?.length) fields.Volumes = emptyObjects(config.volumes);
  if (config.stopSignal) fields.StopSignal = config.stopSignal;
  // Not in the OCI image spec: docker's names, where BuildKit and podman keep them.
  if (config.healthcheck) fields.Healthcheck = config.healthcheck;
  if (config.shell?.length) fields.Shell = config.shell;
  if (config.onBuild?.length) fields.OnBuild = config.onBuild;
  const document: Record<string, unknown> = {
    ...(config.created ? { created: config.created } : {}),
    ...(config.author ? { author: config.author } : {}),
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: "linux",
    config: fields,
    rootfs: { type: "layers", diff_ids: diffIds },
    history: layers.map((layer) => ({
      ...(layer.created ? { created: layer.created } : {}),
      created_by: `plash (image ${layer.id})`,
      ...(layer.empty ? { empty_layer: true } : {}),
    })),
  };
  const warning = moved.length === 0
    ? undefined
    : `${moved.join(", ")}: no OCI form, kept only as ` +
      `label${moved.length > 1 ? "s" : ""} ${
        Object.values(LABELS).filter((l) => l in Labels).join(", ")
      }`;
  return { document, warning };
}

/** `{ "80/tcp": {} }`: how OCI writes a set. */
function emptyObjects(keys: string[]): Record<string, Record<never, never>> {
  return Object.fromEntries(keys.map((key) => [key, {}]));
}

/**
 * The {@linkcode ImageConfig} of an image whose config blob is `blob`: Env
 * (as a map; a name without `=` is set empty, as docker does), Entrypoint,
 * Cmd, WorkingDir and User. Every field is given, also when empty, so that
 * nothing is inherited from the layer images below. What `plash bud` makes
 * and reads back (Labels, ExposedPorts, Volumes, StopSignal, and docker's
 * Healthcheck, Shell and OnBuild) is kept when it is well formed.
 */
export function imageConfigOf(blob: ImageConfigBlob): ImageConfig {
  const fields = blob.config ?? {};
  const env: Record<string, string> = {};
  for (const item of fields.Env ?? []) {
    const equals = item.indexOf("=");
    if (equals < 0) env[item] = "";
    else env[item.slice(0, equals)] = item.slice(equals + 1);
  }
  return {
    env,
    entrypoint: fields.Entrypoint ?? [],
    cmd: fields.Cmd ?? [],
    workdir: fields.WorkingDir || undefined,
    user: fields.User || undefined,
    ...dockerFields(fields, blob.author),
  };
}

/** The fields beyond `docker run`'s, each only when present and well formed. */
function dockerFields(
  fields: NonNullable<ImageConfigBlob["config"]>,
  author: unknown,
): ImageConfig {
  const config: ImageConfig = {};
  const isStrings = (value: unknown): value is string[] =>
    Array.isArray(value) && value.every((item) => typeof item === "string");
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);
  if (isObject(fields.Labels)) {
    config.labels = Object.fromEntries(
      Object.entries(fields.Labels).filter(([, value]) => typeof value === "string"),
    ) as Record<string, string>;
  }
  if (isObject(fields.ExposedPorts)) config.exposedPorts = Object.keys(fields.ExposedPorts);
  if (isObject(fields.Volumes)) config.volumes = Object.keys(fields.Volumes);
  if (typeof fields.StopSignal === "string") config.stopSignal = fields.StopSignal;
  if (isObject(fields.Healthcheck) && isStrings(fields.Healthcheck.Test)) {
    config.healthcheck = fields.Healthcheck as unknown as Healthcheck;
  }
  if (isStrings(fields.Shell)) config.shell = fields.Shell;
  if (isStrings(fields.OnBuild)) config.onBuild = fields.OnBuild;
  if (typeof author === "string" && author !== "") config.author = author;
  return config;
}
