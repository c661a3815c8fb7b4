/**
 * What plash keeps of an OCI image config: the settings `docker run` applies.
 *
 * @module
 */

import type { Healthcheck, ImageConfig } from "../../store/image_config.ts";
import type { ImageConfigBlob } from "./manifest.ts";

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
