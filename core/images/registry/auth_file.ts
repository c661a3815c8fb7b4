/**
 * Registry credentials, kept where docker and podman keep them:
 * `$REGISTRY_AUTH_FILE`, else `$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`, as `{"auths": {HOST: {"auth": base64("user:pass")}}}`.
 * Other contents of the file are left as they are. Credential helpers
 * (`credsStore`) are not run.
 *
 * @module
 */

import { PlashError, wrap } from "../../errors.ts";

/** A user name and password. */
export interface Credentials {
  username: string;
  password: string;
}

/** Docker writes Docker Hub's entry under its old index URL. */
const DOCKER_HUB_KEY = "https://index.docker.io/v1/";
const DOCKER_HUB_NAMES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/** The credentials file in use. */
export function authFilePath(): string {
  const explicit = Deno.env.get("REGISTRY_AUTH_FILE");
  if (explicit) return explicit;
  const dockerConfig = Deno.env.get("DOCKER_CONFIG");
  if (dockerConfig) return `${dockerConfig}/config.json`;
  const home = Deno.env.get("HOME");
  if (!home) throw new PlashError("neither REGISTRY_AUTH_FILE nor HOME is set");
  return `${home}/.docker/config.json`;
}

/** The credentials stored for `registry` (`host[:port]`), if any. */
export function findCredentials(registry: string): Credentials | undefined {
  const auths = readAuthFile(authFilePath()).auths ?? {};
  const key = Object.keys(auths).find((key) => sameRegistry(key, registry));
  const encoded = key === undefined ? undefined : auths[key]?.auth;
  if (typeof encoded !== "string" || encoded === "") return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)));
  } catch {
    throw new PlashError(`${authFilePath()}: the entry for ${key} is not base64`);
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new PlashError(`${authFilePath()}: the entry for ${key} has no password`);
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Stores `credentials` for `registry`, replacing what it had. */
export function storeCredentials(registry: string, credentials: Credentials): void {
  const path = authFilePath();
  const file = readAuthFile(path);
  const auths = withoutRegistry(file.auths ?? {}, registry);
  const auth = encodeCredentials(credentials);
  auths[DOCKER_HUB_NAMES.has(registry) ? DOCKER_HUB_KEY : registry] = { auth };
  writeAuthFile(path, { ...file, auths });
}

/** `user:password` in base64, as the file and HTTP Basic authentication hold them. */
export function encodeCredentials(credentials: Credentials): string {
  const text = `${credentials.username}:${credentials.password}`;
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** Removes the credentials of `registry`; returns whether there were any. */
export function removeCredentials(registry: string): boolean {
  const path = authFilePath();
  const file = readAuthFile(path);
  const auths = file.auths ?? {};
  const kept = withoutRegistry(auths, registry);
  if (Object.keys(kept).length === Object.keys(auths).length) return false;
  writeAuthFile(path, { ...file, auths: kept });
  return true;
}

interface AuthFile {
  auths?: Record<string, { auth?: string } | undefined>;
  [other: string]: unknown;
}

function readAuthFile(path: string): AuthFile {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw wrap(error, `cannot read ${path}`);
  }
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // Reported below.
  }
  throw new PlashError(`${path} is not a JSON object`);
}

/**
 * Replaces the file in one rename(2), so a reader never sees half of it; the
 * file is the user's only (0600), as it holds passwords.
 */
function writeAuthFile(path: string, file: AuthFile): void {
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = `${path}.plash-${Deno.pid}`;
  try {
    Deno.writeTextFileSync(temporary, JSON.stringify(file, null, "\t") + "\n", { mode: 0o600 });
    Deno.chmodSync(temporary, 0o600); // the umask may have taken bits away; none to add
    Deno.renameSync(temporary, path);
  } catch (error) {
    try {
      Deno.removeSync(temporary);
    } catch { /* not made */ }
    throw wrap(error, `cannot write ${path}`);
  }
}

function withoutRegistry(auths: NonNullable<AuthFile["auths"]>, registry: string) {
  return Object.fromEntries(Object.entries(auths).filter(([key]) => !sameRegistry(key, registry)));
}

/** Whether file key `key` (`host`, `https://host/v1/`) names `registry`. */
function sameRegistry(key: string, registry: string): boolean {
  const host = key.replace(/^[a-z]+:\/\//, "").replace(/\/.*$/, "");
  if (DOCKER_HUB_NAMES.has(registry)) return DOCKER_HUB_NAMES.has(host);
  return host === registry;
}
