/**
 * The environment a container starts with: what the image declares, plus the
 * few host variables plash passes through.
 *
 * @module
 */

import type { ImageConfig } from "../store/image_config.ts";

/** PATH when the image does not set one. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Host variables every container sees when they are set. */
const PASSED_THROUGH = ["TERM", "DISPLAY", "HOME", "PLASH_DATA"];

/** The container's environment as NAME=VALUE strings. */
export function containerEnvironment(
  config: ImageConfig,
  host: Record<string, string> = Deno.env.toObject(),
): string[] {
  const env: Record<string, string> = { PATH: DEFAULT_PATH, ...config.env };
  const exported = (host.PLASH_EXPORT ?? "").split(":").filter((name) => name !== "");
  for (const name of [...PASSED_THROUGH, ...exported, ...(config.importEnv ?? [])]) {
    if (name in host) env[name] = host[name];
  }
  for (const prefix of config.importEnvPrefixes ?? []) {
    for (const [name, value] of Object.entries(host)) {
      if (name.startsWith(prefix)) env[name] = value;
    }
  }
  return Object.entries(env).map(([name, value]) => `${name}=${value}`);
}

/** The value of `name` in a NAME=VALUE list. */
export function lookupEnv(env: string[], name: string): string | undefined {
  const entry = env.find((item) => item.startsWith(name + "="));
  return entry?.slice(name.length + 1);
}

/**
 * `env` (NAME=VALUE strings) with the run's `-e` entries laid over it, in
 * order: NAME=VALUE sets, NAME takes the host's value (and is left out when
 * the host has none, as in docker).
 */
export function withRunEnv(
  env: string[],
  entries: string[],
  host: Record<string, string>,
): string[] {
  const merged = new Map(env.map((item) => [item.slice(0, item.indexOf("=")), item]));
  for (const entry of entries) {
    const equals = entry.indexOf("=");
    const name = equals === -1 ? entry : entry.slice(0, equals);
    if (equals !== -1) merged.set(name, entry);
    else if (name in host) merged.set(name, `${name}=${host[name]}`);
  }
  return [...merged.values()];
}
