/**
 * What plash keeps of an OCI image config: the settings `docker run` applies.
 *
 * @module
 */

import type { ImageConfig } from "../../store/image_config.ts";
import type { ImageConfigBlob } from "./manifest.ts";

/**
 * The {@linkcode ImageConfig} of an image whose config blob is `blob`: Env
 * (as a map; a name without `=` is set empty, as docker does), Entrypoint,
 * Cmd, WorkingDir and User. Every field is given, also when empty, so that
 * nothing is inherited from the layer images below.
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
  };
}
