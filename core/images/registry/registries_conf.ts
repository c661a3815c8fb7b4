/**
 * Registry configuration as podman reads it: containers-registries.conf(5),
 * version 2 (TOML). What plash takes from it:
 *
 * * `unqualified-search-registries`: where a short name (`alpine`) is looked
 *   for, in order; `["docker.io"]` when no file sets it;
 * * `[aliases]`: a short name's one full name (`"fedora" =
 *   "registry.fedoraproject.org/fedora"`), used instead of the search list;
 * * `[[registry]]` with `prefix`, `location`, `insecure`, `blocked` and
 *   `[[registry.mirror]]` (`location`, `insecure`, `pull-from-mirror`): the
 *   entry whose prefix is the longest match of a reference says where it is
 *   pulled from, mirrors first.
 *
 * The file is `$PLASH_REGISTRIES_CONF`, else `$CONTAINERS_REGISTRIES_CONF`
 * (podman's variable), each alone; else `~/.config/containers/registries.conf`
 * when it exists, else `/etc/containers/registries.conf`, then the drop-ins
 * of `/etc/containers/registries.conf.d/` and
 * `~/.config/containers/registries.conf.d/` (`*.conf`, in name order), each
 * laid over what came before as podman lays them: a setting a file makes
 * replaces the earlier one, a `[[registry]]` replaces the one of the same
 * prefix, aliases are merged. No file at all is no configuration.
 *
 * @example
 * ```ts
 * import { loadRegistriesConf, pullSources } from "./registries_conf.ts";
 * import { parseReference } from "./reference.ts";
 *
 * const conf = await loadRegistriesConf();
 * pullSources(conf, parseReference("alpine")); // [{ registry: "docker.io", ... }]
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import { lazyImport } from "../../lazy_import.ts";
import { formatReference, parseReference, type Reference, registryOf } from "./reference.ts";

/** A mirror of a `[[registry]]`. */
export interface Mirror {
  /** `host[:port][/path]`, standing for the registry's prefix. */
  location: string;
  /** Plain HTTP allowed. */
  insecure: boolean;
  /** Which references it serves: `all`, `digest-only` or `tag-only`. */
  pullFromMirror: "all" | "digest-only" | "tag-only";
}

/** One `[[registry]]` table. */
export interface RegistryEntry {
  /** What references it covers: `host[:port][/path]`, or `*.domain`. */
  prefix: string;
  /** Where they are pulled from instead of the prefix ("" for the prefix itself). */
  location: string;
  /** Plain HTTP allowed. */
  insecure: boolean;
  /** Pulls from it are refused. */
  blocked: boolean;
  /** Tried first, in order. */
  mirrors: Mirror[];
}

/** The configuration, every file laid over the one before. */
export interface RegistriesConf {
  /** Where short names are looked for, in order. */
  searchRegistries: string[];
  /** Short name to full name (no tag). */
  aliases: Record<string, string>;
  /** The `[[registry]]` tables. */
  registries: RegistryEntry[];
  /** The files read, in order (what error messages name). */
  files: string[];
}

/** One place to pull a reference from. */
export interface PullSource {
  /** The reference as it is asked for there (registry and repository rewritten). */
  ref: Reference;
  /** Plain HTTP allowed there. */
  insecure: boolean;
  /** Whether it is a mirror (a failure there tries the next source). */
  mirror: boolean;
}

const DEFAULT_SEARCH = ["docker.io"];

/** The files to read, the main one first; only those that exist. */
function configFiles(): string[] {
  for (const name of ["PLASH_REGISTRIES_CONF", "CONTAINERS_REGISTRIES_CONF"]) {
    const file = Deno.env.get(name);
    if (!file) continue;
    if (!isFile(file)) throw new PlashError(`${name}=${file}: no such file`);
    return [file];
  }
  const home = Deno.env.get("HOME");
  const config = Deno.env.get("XDG_CONFIG_HOME") || (home ? `${home}/.config` : undefined);
  const user = config ? `${config}/containers/registries.conf` : undefined;
  const main = user && isFile(user) ? user : "/etc/containers/registries.conf";
  const dropIns = ["/etc/containers/registries.conf.d", ...(user ? [`${user}.d`] : [])]
    .flatMap(confFilesIn);
  return [main, ...dropIns].filter(isFile);
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** The `*.conf` files of `dir`, in name order. */
function confFilesIn(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].filter((entry) => entry.name.endsWith(".conf"))
      .map((entry) => `${dir}/${entry.name}`).sort();
  } catch {
    return [];
  }
}

let loaded: Promise<RegistriesConf> | undefined;

/** The configuration in effect, read once per process. */
export function loadRegistriesConf(): Promise<RegistriesConf> {
  loaded ??= readRegistriesConf(configFiles());
  return loaded;
}

/**
 * The configuration `files` make, each laid over the one before; a file
 * plash cannot read or make sense of fails in one line naming it.
 *
 * @example
 * ```ts
 * import { readRegistriesConf } from "./registries_conf.ts";
 *
 * const conf = await readRegistriesConf(["/etc/containers/registries.conf"]);
 * conf.searchRegistries; // ["docker.io"] unless the file says otherwise
 * ```
 */
export async function readRegistriesConf(files: string[]): Promise<RegistriesConf> {
  const conf: RegistriesConf = { searchRegistries: [], aliases: {}, registries: [], files };
  let search: string[] | undefined;
  if (files.length) {
    // Loaded only when there is a file: the TOML parser is an npm package.
    const { parseToml } = await lazyImport("registryToml");
    for (const file of files) {
      let text: string;
      try {
        text = Deno.readTextFileSync(file);
      } catch (error) {
        throw new PlashError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
      }
      const table = parseToml(text, file);
      search = layFile(conf, table, file) ?? search;
    }
  }
  conf.searchRegistries = search ?? DEFAULT_SEARCH;
  return conf;
}

/** Lays one file's `table` over `conf`; returns its search list, if it sets one. */
function layFile(
  conf: RegistriesConf,
  table: Record<string, unknown>,
  file: string,
): string[] | undefined {
  const bad = (why: string) => new PlashError(`${file}: ${why}`);
  if ("registries" in table) {
    throw bad("version 1 tables ([registries.search] ...) are not read: write version 2");
  }
  const strings = (value: unknown, what: string): string[] => {
    if (!Array.isArray(value) || !value.every((each) => typeof each === "string")) {
      throw bad(`${what} must be an array of strings`);
    }
    return value;
  };
  const search = table["unqualified-search-registries"];
  const aliases = table["aliases"];
  if (aliases !== undefined) {
    if (typeof aliases !== "object" || aliases === null || Array.isArray(aliases)) {
      throw bad("[aliases] must be a table");
    }
    for (const [name, value] of Object.entries(aliases)) {
      if (typeof value !== "string") throw bad(`alias ${name} must be a string`);
      conf.aliases[name] = value;
    }
  }
  const registries = table["registry"] ?? [];
  if (!Array.isArray(registries)) throw bad("registry must be an array of tables ([[registry]])");
  for (const each of registries) {
    const entry = registryEntry(each, bad);
    conf.registries = [...conf.registries.filter((old) => old.prefix !== entry.prefix), entry];
  }
  return search === undefined ? undefined : strings(search, "unqualified-search-registries");
}

function registryEntry(value: unknown, bad: (why: string) => PlashError): RegistryEntry {
  const table = value as Record<string, unknown>;
  const text = (name: string, fallback = "") => {
    const got = table[name] ?? fallback;
    if (typeof got !== "string") throw bad(`[[registry]] ${name} must be a string`);
    return got;
  };
  const flag = (name: string, from = table) => {
    const got = from[name] ?? false;
    if (typeof got !== "boolean") throw bad(`[[registry]] ${name} must be true or false`);
    return got;
  };
  const location = text("location");
  const prefix = text("prefix", location);
  if (prefix === "") throw bad("a [[registry]] needs a prefix or a location");
  const mirrors = table["mirror"] ?? [];
  if (!Array.isArray(mirrors)) throw bad("[[registry.mirror]] must be an array of tables");
  return {
    prefix,
    location,
    insecure: flag("insecure"),
    blocked: flag("blocked"),
    mirrors: mirrors.map((mirror: Record<string, unknown>) => {
      const pull = mirror["pull-from-mirror"] ?? "all";
      if (pull !== "all" && pull !== "digest-only" && pull !== "tag-only") {
        throw bad("pull-from-mirror must be all, digest-only or tag-only");
      }
      if (typeof mirror.location !== "string" || mirror.location === "") {
        throw bad("a [[registry.mirror]] needs a location");
      }
      return {
        location: mirror.location,
        insecure: flag("insecure", mirror),
        pullFromMirror: pull,
      };
    }),
  };
}

/** `registry/repository` of `ref`: what prefixes match. */
function fullName(ref: Reference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** How well `prefix` matches full name `name`: its length, or -1 for no match. */
function matchLength(prefix: string, name: string): number {
  if (prefix.startsWith("*.")) {
    const host = name.slice(0, name.indexOf("/"));
    return host.endsWith(prefix.slice(1)) ? prefix.length : -1;
  }
  if (name === prefix || name.startsWith(`${prefix}/`)) return prefix.length;
  return -1;
}

/**
 * The `[[registry]]` that covers `ref`: the one with the longest matching
 * prefix.
 *
 * @example
 * ```ts
 * import { findRegistry, readRegistriesConf } from "./registries_conf.ts";
 * import { parseReference } from "./reference.ts";
 *
 * const conf = await readRegistriesConf([]);
 * findRegistry(conf, parseReference("alpine")); // undefined: no [[registry]] at all
 * ```
 */
export function findRegistry(conf: RegistriesConf, ref: Reference): RegistryEntry | undefined {
  let best: RegistryEntry | undefined;
  let length = -1;
  for (const entry of conf.registries) {
    const matched = matchLength(entry.prefix, fullName(ref));
    if (matched > length) [best, length] = [entry, matched];
  }
  return best;
}

/**
 * `ref` with the part of its full name that `prefix` matched replaced by
 * `location` (for a `*.domain` prefix, the host).
 */
function relocated(ref: Reference, prefix: string, location: string): Reference {
  const name = fullName(ref);
  const matched = prefix.startsWith("*.") ? ref.registry : prefix;
  const rest = `${location}${name.slice(matched.length)}`;
  const registry = registryOf(rest) ?? "docker.io";
  return { ...ref, registry, repository: rest.slice(registry.length + 1) };
}

/**
 * Where to pull `ref` from, in order: its registry's mirrors that serve it,
 * then the registry (or its `location`). A blocked registry is refused in
 * one line naming the files.
 *
 * @example
 * ```ts
 * import { pullSources, readRegistriesConf } from "./registries_conf.ts";
 * import { parseReference } from "./reference.ts";
 *
 * const conf = await readRegistriesConf([]);
 * pullSources(conf, parseReference("127.0.0.1:5000/app:v1"))[0].ref.registry; // "127.0.0.1:5000"
 * ```
 */
export function pullSources(conf: RegistriesConf, ref: Reference): PullSource[] {
  const entry = findRegistry(conf, ref);
  if (!entry) return [{ ref, insecure: false, mirror: false }];
  if (entry.blocked) {
    throw new PlashError(
      `${formatReference(ref)}: registry ${entry.prefix} is blocked in ${conf.files.join(", ")}`,
    );
  }
  const wanted = ref.digest === undefined ? "tag-only" : "digest-only";
  const mirrors = entry.mirrors
    .filter((mirror) => mirror.pullFromMirror === "all" || mirror.pullFromMirror === wanted)
    .map((mirror) => ({
      ref: relocated(ref, entry.prefix, mirror.location),
      insecure: mirror.insecure,
      mirror: true,
    }));
  const primary = entry.location ? relocated(ref, entry.prefix, entry.location) : ref;
  return [...mirrors, { ref: primary, insecure: entry.insecure, mirror: false }];
}

/**
 * The full references a short name (one with no registry, `alpine:3.20`)
 * stands for, in the order they are tried: its alias alone when it has one,
 * else the name in each search registry. A name with a registry stands for
 * itself.
 *
 * @example
 * ```ts
 * import { readRegistriesConf, shortNameCandidates } from "./registries_conf.ts";
 *
 * shortNameCandidates(await readRegistriesConf([]), "alpine:3.20");
 * // ["docker.io/library/alpine:3.20"]
 * ```
 */
export function shortNameCandidates(conf: RegistriesConf, text: string): string[] {
  const ref = parseReference(text); // malformed names fail here, in one line
  if (registryOf(text) !== undefined) return [formatReference(ref)];
  const at = text.indexOf("@");
  const name = at >= 0 ? text.slice(0, at) : text;
  const colon = name.lastIndexOf(":");
  const bare = colon > name.lastIndexOf("/") ? name.slice(0, colon) : name;
  const suffix = text.slice(bare.length);
  const alias = conf.aliases[bare];
  const fulls = alias !== undefined
    ? [`${alias}${suffix}`]
    : conf.searchRegistries.map((registry) => `${registry}/${text}`);
  return fulls.map((full) => formatReference(parseReference(full)));
}
