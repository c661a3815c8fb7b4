/**
 * Which hosts a registry's stored credentials may be sent to: the
 * registry's own, and for Docker Hub its token server. A token server
 * (a Bearer challenge's realm) anywhere else is asked anonymously, so that
 * a registry, or a server a blob is redirected to, cannot have the
 * credentials of one registry sent to a host of its choosing.
 *
 * @module
 */

import { apiHost } from "./reference.ts";

/** Hosts known to serve the tokens of a registry with another name. */
const TOKEN_HOSTS: Record<string, string[]> = {
  "docker.io": ["auth.docker.io"],
  "registry-1.docker.io": ["auth.docker.io"],
};

/**
 * Whether the credentials of `registry` (as an image reference names it)
 * may be sent to `url`: its hostname is the registry's (any port), or a
 * token host the registry is known to use.
 *
 * @example
 * ```ts
 * import { credentialsMayGo } from "./credential_hosts.ts";
 *
 * credentialsMayGo("docker.io", new URL("https://auth.docker.io/token")); // true
 * credentialsMayGo("ghcr.io", new URL("https://auth.example.org/token")); // false
 * ```
 */
export function credentialsMayGo(registry: string, url: URL): boolean {
  const own = new URL(`http://${apiHost(registry)}`).hostname;
  return url.hostname === own || (TOKEN_HOSTS[registry] ?? []).includes(url.hostname);
}
