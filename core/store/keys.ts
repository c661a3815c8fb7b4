/**
 * Every kind of map key plash makes itself, made and recognized here only.
 *
 * The map holds two sorts of keys. A user's names (`plash map web 7`) are any
 * text. The rest plash writes for its own bookkeeping, each kind with a
 * prefix of its own: layer caches, what was imported from where. Some of
 * those are what a user knows an image by (the reference it was pulled as);
 * the others are internal and `ls` need not show them. A user's name that
 * happens to look like an internal key is read as one: the prefixes below are
 * plash's.
 *
 * @example
 * ```ts
 * import { keyKind, KEYS } from "./keys.ts";
 *
 * const key = KEYS.dockerReference("docker.io/library/alpine:3.20");
 * keyKind(key).shown; // "reference"
 * keyKind("web").shown; // "name"
 * ```
 *
 * @module
 */

/** How a key is shown to a user: their own name, an image reference, or not at all. */
export type KeyShown = "name" | "reference" | "internal";

/** One kind of key. */
export interface KeyKind {
  /** The kind's name, as `plash ls --json` and the docs call it. */
  name: string;
  /** How keys of this kind are shown. */
  shown: KeyShown;
  /** What a key of this kind maps to an image. */
  summary: string;
  /** The prefix every key of this kind starts with ("" for a user's name). */
  prefix: string;
  /** Whether `key` is of this kind. */
  matches(key: string): boolean;
}

const DIGEST = "sha256:[a-f0-9]{64}";
const HEX = "[a-f0-9]{64}";
/** Any non-empty text, newlines included. */
const ANY = "[\\s\\S]+";

/** A kind whose keys are `prefix` followed by what `rest` (a regular expression) matches. */
function kind(name: string, shown: KeyShown, summary: string, prefix: string, rest: string) {
  const pattern = new RegExp(`^${prefix}${rest}$`);
  return { name, shown, summary, prefix, matches: (key: string) => pattern.test(key) };
}

/** The kinds of keys plash writes, most specific first; any other key is a user's name. */
export const KEY_KINDS: readonly KeyKind[] = [
  kind("cache", "internal", "the image built for a layer's cache key", "cache:", HEX),
  kind(
    "docker-layer",
    "internal",
    "an OCI layer (by digest) imported on a parent image",
    "docker-layer:",
    `\\d+:${DIGEST}`,
  ),
  kind(
    "docker-config",
    "internal",
    "an OCI image config (by digest) on its top layer image",
    "docker-config:",
    `\\d+:${DIGEST}`,
  ),
  kind(
    "docker-manifest",
    "internal",
    "an image imported by its manifest digest",
    "docker:",
    DIGEST,
  ),
  kind("docker-reference", "reference", "an image pulled as this reference", "docker-ref:", ANY),
  kind("tar", "internal", "an image imported from an archive of this content", "tar:", HEX),
  kind("url", "internal", "an image downloaded from this URL", "url:", ANY),
  kind("lxc", "internal", "an LXC image by name and architecture, or by build", "lxc:", ANY),
];

/** A user's own name: every key no kind above claims. */
const NAME: KeyKind = {
  name: "name",
  shown: "name",
  summary: "a name given with `plash map` or `plash tag`",
  prefix: "",
  matches: () => true,
};

/**
 * The kind of `key`.
 *
 * @example
 * ```ts
 * import { keyKind } from "./keys.ts";
 *
 * keyKind(`cache:${"0".repeat(64)}`).shown; // "internal"
 * ```
 */
export function keyKind(key: string): KeyKind {
  return KEY_KINDS.find((each) => each.matches(key)) ?? NAME;
}

/**
 * Why `key` cannot be a key a user gives (`plash map KEY`, `plash tag ID
 * NAME`), in the original plash's words, or undefined when it can. The
 * original refused an empty key and one holding "/" (its keys were file
 * names); plash's own kinds keep their "/" (a reference, a URL), so a user
 * may still read or set `docker-ref:docker.io/library/alpine:3.20`.
 *
 * @example
 * ```ts
 * import { userKeyProblem } from "./keys.ts";
 *
 * userKeyProblem("hi/da"); // "'/' not allowed in map name"
 * userKeyProblem("web"); // undefined
 * ```
 */
export function userKeyProblem(key: string): string | undefined {
  if (key === "") return "empty map name not allowed";
  if (key.includes("/") && keyKind(key) === NAME) return "'/' not allowed in map name";
  return undefined;
}

/**
 * What `key` is shown as: a user's name as it is, a reference without the
 * prefix plash keeps it under (`docker.io/library/alpine:3.20`), an internal
 * key as it is.
 *
 * @example
 * ```ts
 * import { KEYS, shownKey } from "./keys.ts";
 *
 * shownKey(KEYS.dockerReference("docker.io/library/alpine:3.20")); // "docker.io/library/alpine:3.20"
 * shownKey("web"); // "web"
 * ```
 */
export function shownKey(key: string): string {
  const kind = keyKind(key);
  return kind.shown === "reference" ? key.slice(kind.prefix.length) : key;
}

/**
 * The part of `key` after its kind's prefix: a manifest digest, a URL, a
 * reference, an LXC name or build (`debian:trixie:amd64`), a cache key.
 *
 * @example
 * ```ts
 * import { keyValue, KEYS } from "./keys.ts";
 *
 * keyValue(KEYS.url("https://example.org/a.tar")); // "https://example.org/a.tar"
 * ```
 */
export function keyValue(key: string): string {
  return key.slice(keyKind(key).prefix.length);
}

/** One build of an LXC image server's index, as its key names it. */
export interface LxcBuildName {
  /** The distribution. */
  dist: string;
  /** Its release. */
  release: string;
  /** The architecture, as LXC names it. */
  arch: string;
  /** The variant. */
  variant: string;
  /** When it was built, as the index says. */
  timestamp: string;
}

/**
 * The constructors of plash's own keys; every key plash writes is made here.
 *
 * @example
 * ```ts
 * import { KEYS } from "./keys.ts";
 *
 * KEYS.dockerLayer(3, `sha256:${"a".repeat(64)}`); // "docker-layer:3:sha256:aaa..."
 * ```
 */
export const KEYS = {
  /** The image built for layer cache key `hex` (a build's layer). */
  cache: (hex: string): string => `cache:${hex}`,
  /** The image whose manifest has `digest`, pulled or imported. */
  dockerManifest: (digest: string): string => `docker:${digest}`,
  /** The image pulled for this host's platform as `reference` (written in full). */
  dockerReference: (reference: string): string => `docker-ref:${reference}`,
  /** The layer with `digest` unpacked on image `parent`. */
  dockerLayer: (parent: number, digest: string): string => `docker-layer:${parent}:${digest}`,
  /** The config image for config blob `digest` on layer image `top`. */
  dockerConfig: (top: number, digest: string): string => `docker-config:${top}:${digest}`,
  /** The image imported from an archive whose content hashes to `hex`. */
  tar: (hex: string): string => `tar:${hex}`,
  /** The image downloaded from `url`; a URL too long for a file name comes hashed. */
  url: (url: string): string => `url:${url}`,
  /** The same for a URL given as its `hex` SHA-256. */
  urlHash: (hex: string): string => `url:sha256:${hex}`,
  /** The image `--from-lxc NAME` builds on, for `arch`. */
  lxcName: (name: string, arch: string): string => `lxc:${name}:${arch}`,
  /** One build of an LXC image. */
  lxcBuild: (build: LxcBuildName): string =>
    `lxc:${build.dist}:${build.release}:${build.arch}:${build.variant}:${build.timestamp}`,
};
