/**
 * The environment a container starts with: what the image declares, plus the
 * few host variables plash passes through.
 *
 * @module
 */

import type { ImageConfig } from "../store/image_config.ts";

/** PATH when the image does not set one. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Host variables every container sees when they are set (builds too, as in the original plash). */
const PASSED_THROUGH = ["TERM", "DISPLAY", "HOME", "PLASH_DATA"];

/**
 * This process's environment as a record that reads each variable when it is
 * asked for: a run asks for a handful, and copying all of them
 * (`Deno.env.toObject()`) cost every start 0.05-0.1 ms. Listing its names
 * (`Object.keys`, a spread) reads them all.
 *
 * @example
 * ```ts
 * import { processEnvironment } from "./environment.ts";
 *
 * const env = processEnvironment();
 * "PATH" in env; // true where PATH is set
 * env.PATH; // "/usr/bin:..."
 * ```
 */
export function processEnvironment(): Record<string, string> {
  const read = (name: string | symbol) =>
    // Names Deno.env.get refuses (empty, with `=` or NUL) are never set.
    typeof name === "string" && name !== "" && !name.includes("=") && !name.includes("\0")
      ? Deno.env.get(name)
      : undefined;
  return new Proxy<Record<string, string>>({}, {
    get: (_, name) => read(name),
    has: (_, name) => read(name) !== undefined,
    ownKeys: () => Object.keys(Deno.env.toObject()),
    getOwnPropertyDescriptor: (_, name) => {
      const value = read(name);
      return value === undefined ? undefined : { value, enumerable: true, configurable: true };
    },
  });
}

/**
 * The container's environment as NAME=VALUE strings.
 *
 * @example
 * ```ts
 * import { containerEnvironment } from "./environment.ts";
 *
 * containerEnvironment({ env: { LANG: "C" } }, { TERM: "xterm", SECRET: "x" });
 * // ["PATH=/usr/local/sbin:...", "LANG=C", "TERM=xterm"]
 * ```
 */
export function containerEnvironment(
  config: ImageConfig,
  host: Record<string, string> = Deno.env.toObject(),
): string[] {
  const env: Record<string, string> = { PATH: DEFAULT_PATH, ...config.env };
  const exported = (host.PLASH_EXPORT ?? "").split(":").filter((name) => name !== "");
  for (const name of [...PASSED_THROUGH, ...exported]) {
    if (name in host) env[name] = host[name];
  }
  Object.assign(env, importedFromHost(config, host));
  return Object.entries(env).map(([name, value]) => `${name}=${value}`);
}

/**
 * The host variables `config` passes into its runs (`--env NAME`,
 * `--env-prefix P`), by name, sorted: what a build layer on such an image
 * sees of the host besides TERM, DISPLAY, HOME and PLASH_DATA, and so what its
 * cache key must cover.
 *
 * @example
 * ```ts
 * import { importedFromHost } from "./environment.ts";
 *
 * importedFromHost({ importEnv: ["LANG"] }, { LANG: "C", TERM: "xterm" }); // { LANG: "C" }
 * ```
 */
export function importedFromHost(
  config: ImageConfig,
  host: Record<string, string> = Deno.env.toObject(),
): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of config.importEnv ?? []) {
    if (name in host) found[name] = host[name];
  }
  for (const prefix of config.importEnvPrefixes ?? []) {
    for (const [name, value] of Object.entries(host)) {
      if (name.startsWith(prefix)) found[name] = value;
    }
  }
  return Object.fromEntries(Object.entries(found).sort(([a], [b]) => a < b ? -1 : 1));
}

/**
 * What plash sets in every build step's (and `create`'s) environment: a
 * package manager must not wait for answers no one gives (a build reads no
 * stdin). The original plash wrote no such thing; the macros' lines stay its.
 */
const BUILD_ENVIRONMENT: Record<string, string> = { DEBIAN_FRONTEND: "noninteractive" };

/**
 * The host environment as a build step and `create` see it: without the
 * caller's PLASH_EXPORT, whose names reach runs only (in the original plash,
 * builds saw TERM, HOME, DISPLAY and PLASH_DATA of the host, nothing else), so
 * that what a layer saw is what its cache key covers; plus
 * {@linkcode BUILD_ENVIRONMENT}, passed through as PLASH_EXPORT passes a run's
 * names.
 *
 * @example
 * ```ts
 * import { buildHostEnvironment } from "./environment.ts";
 *
 * buildHostEnvironment({ PLASH_EXPORT: "A", A: "1", TERM: "xterm" });
 * // { A: "1", TERM: "xterm", DEBIAN_FRONTEND: "noninteractive", PLASH_EXPORT: "DEBIAN_FRONTEND" }
 * ```
 */
export function buildHostEnvironment(
  host: Record<string, string> = Deno.env.toObject(),
): Record<string, string> {
  const { PLASH_EXPORT: _, ...rest } = host;
  const PLASH_EXPORT = Object.keys(BUILD_ENVIRONMENT).join(":");
  return { ...rest, ...BUILD_ENVIRONMENT, PLASH_EXPORT };
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
