/**
 * Image references as docker reads them: `alpine` is
 * `docker.io/library/alpine:latest`, `host[:port]/path/name:tag`,
 * `name@sha256:...`.
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import { KEYS } from "../../store/keys.ts";
import { checkDigest } from "../digest.ts";

/** A parsed reference. */
export interface Reference {
  /** The registry as named: `docker.io`, `127.0.0.1:5000`, `ghcr.io`. */
  registry: string;
  /** The repository: `library/alpine`. */
  repository: string;
  /** The tag; `latest` when neither a tag nor a digest is given. */
  tag?: string;
  /** The manifest digest, when pinned. */
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DOCKER_HUB = "docker.io";

/**
 * Parses `text` as docker does; a malformed reference fails with a one-line
 * error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const { registry, repository, tag } = parseReference("alpine");
 * assert.deepEqual([registry, repository, tag], ["docker.io", "library/alpine", "latest"]);
 * const digest = `sha256:${"a".repeat(64)}`;
 * assert.equal(parseReference(`localhost:5000/tools/jq@${digest}`).digest, digest); // pinned
 * ```
 */
export function parseReference(text: string): Reference {
  const bad = (why: string) =>
    new PlashError(`bad image reference ${JSON.stringify(text)}: ${why}`);
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = checkDigest(rest.slice(at + 1), "digest");
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad("malformed tag");
  }
  let registry = DOCKER_HUB;
  const named = registryOf(rest);
  if (named !== undefined) {
    registry = named;
    rest = rest.slice(named.length + 1);
  }
  if (registry === "index.docker.io") registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !rest.includes("/")) rest = `library/${rest}`;
  if (rest === "" || !rest.split("/").every((part) => COMPONENT.test(part))) {
    throw bad("the name must be lowercase letters, digits and separators");
  }
  if (tag === undefined && digest === undefined) tag = "latest";
  return { registry, repository: rest, tag, digest };
}

/**
 * The registry `text` names in its first component (`host.domain`,
 * `host:port`, `localhost`), or undefined for a short name (`alpine`,
 * `library/alpine:3.20`), which docker reads as Docker Hub's and podman looks
 * up in its search registries.
 *
 * @example
 * ```ts
 * import { registryOf } from "./reference.ts";
 *
 * registryOf("127.0.0.1:5000/app:v1"); // "127.0.0.1:5000"
 * registryOf("alpine:3.20"); // undefined
 * ```
 */
export function registryOf(text: string): string | undefined {
  const slash = text.indexOf("/");
  const first = slash < 0 ? "" : text.slice(0, slash);
  return first && (first.includes(".") || first.includes(":") || first === "localhost")
    ? first
    : undefined;
}

/** The reference in full: `docker.io/library/alpine:latest`, digest after the tag. */
export function formatReference(ref: Reference): string {
  const tag = ref.tag === undefined ? "" : `:${ref.tag}`;
  const digest = ref.digest === undefined ? "" : `@${ref.digest}`;
  return `${ref.registry}/${ref.repository}${tag}${digest}`;
}

/**
 * The map key under which the image `text` names, for this host's platform,
 * is found: `docker-ref:docker.io/library/alpine:latest`.
 */
export function referenceKey(text: string): string {
  return KEYS.dockerReference(formatReference(parseReference(text)));
}

/** The host serving the registry's API: Docker Hub's is not docker.io itself. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? "registry-1.docker.io" : registry;
}

/** Whether `registry` (`host[:port]`) is this machine: plain HTTP is allowed there. */
export function isLoopback(registry: string): boolean {
  const host = registry.startsWith("[")
    ? registry.slice(1, registry.indexOf("]"))
    : registry.replace(/:\d+$/, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
