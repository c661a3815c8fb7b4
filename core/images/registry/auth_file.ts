/**
 * Registry credentials, found where podman and docker keep them.
 *
 * Read in podman's order: `$REGISTRY_AUTH_FILE` alone when it is set (as
 * podman's `--authfile`), else `$XDG_RUNTIME_DIR/containers/auth.json`
 * (`/run/containers/UID/auth.json` without XDG_RUNTIME_DIR), then
 * `$XDG_CONFIG_HOME/containers/auth.json` (`~/.config/...`), then
 * `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. The files are
 * merged: the first that knows a registry answers for it. In each, as docker
 * reads its config: `credHelpers[HOST]` names a helper for that registry,
 * else `credsStore` a helper for every registry (see `credential_helper.ts`),
 * else `auths[HOST].auth` holds `base64(user:password)`; what a helper does
 * not know is looked up in `auths` too.
 *
 * `plash login` writes where docker does, `$REGISTRY_AUTH_FILE`, else
 * `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json` (0600), through
 * the helper that file names for the registry when it names one (then the
 * file gets an empty `auths` entry, as docker writes it). Other contents of
 * the file are left as they are.
 *
 * @example
 * ```ts
 * import { findCredentials } from "./auth_file.ts";
 *
 * const credentials = await findCredentials("ghcr.io"); // undefined: anonymous
 * ```
 *
 * @module
 */

import { PlashError, wrap } from "../../errors.ts";
import { outerUid } from "../../store/data_dir.ts";
import { helperErase, helperGet, helperStore } from "./credential_helper.ts";

/** A user name and password. */
export interface Credentials {
  username: string;
  password: string;
}

/** Docker writes Docker Hub's entry under its old index URL. */
const DOCKER_HUB_KEY = "https://index.docker.io/v1/";
const DOCKER_HUB_NAMES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

function home(): string {
  const dir = Deno.env.get("HOME");
  if (!dir) throw new PlashError("neither REGISTRY_AUTH_FILE nor HOME is set");
  return dir;
}

/**
 * The files credentials are read from, in the order they are asked.
 *
 * @example
 * ```ts
 * import { authFilePaths } from "./auth_file.ts";
 *
 * authFilePaths(); // ["/run/user/1000/containers/auth.json", ..., "/home/me/.docker/config.json"]
 * ```
 */
export function authFilePaths(): string[] {
  const explicit = Deno.env.get("REGISTRY_AUTH_FILE");
  if (explicit) return [explicit];
  const runtime = Deno.env.get("XDG_RUNTIME_DIR");
  const config = Deno.env.get("XDG_CONFIG_HOME") || `${home()}/.config`;
  return [
    runtime
      ? `${runtime}/containers/auth.json`
      : `/run/containers/${outerUid(Deno.uid()!)}/auth.json`,
    `${config}/containers/auth.json`,
    dockerConfigPath(),
  ];
}

function dockerConfigPath(): string {
  const dockerConfig = Deno.env.get("DOCKER_CONFIG");
  return dockerConfig ? `${dockerConfig}/config.json` : `${home()}/.docker/config.json`;
}

/**
 * The file `plash login` writes and `plash logout` changes, as docker's.
 *
 * @example
 * ```ts
 * import { authFilePath } from "./auth_file.ts";
 *
 * authFilePath(); // "/home/me/.docker/config.json" unless REGISTRY_AUTH_FILE or DOCKER_CONFIG say
 * ```
 */
export function authFilePath(): string {
  return Deno.env.get("REGISTRY_AUTH_FILE") || dockerConfigPath();
}

/** What a helper is told the server is: Docker Hub by its index URL, as docker tells it. */
function serverOf(registry: string): string {
  return DOCKER_HUB_NAMES.has(registry) ? DOCKER_HUB_KEY : registry;
}

/** The helper file `file` names for `registry`, if any. */
function helperFor(file: AuthFile, registry: string): string | undefined {
  const helpers = file.credHelpers ?? {};
  const key = Object.keys(helpers).find((key) => sameRegistry(key, registry));
  const helper = key === undefined ? undefined : helpers[key];
  if (typeof helper === "string" && helper !== "") return helper;
  return typeof file.credsStore === "string" && file.credsStore !== ""
    ? file.credsStore
    : undefined;
}

/**
 * The credentials stored for `registry` (`host[:port]`), if any: from the
 * first file (see the module) that has them, a helper's or its own.
 */
export async function findCredentials(registry: string): Promise<Credentials | undefined> {
  for (const path of authFilePaths()) {
    const file = readAuthFile(path);
    const helper = helperFor(file, registry);
    if (helper !== undefined) {
      try {
        const found = await helperGet(helper, serverOf(registry));
        if (found) return found;
      } catch (error) {
        throw wrap(error, `credentials for ${registry} (${path})`);
      }
    }
    const found = fileCredentials(path, file, registry);
    if (found) return found;
  }
  return undefined;
}

/** The credentials `file` (at `path`) holds itself for `registry`. */
function fileCredentials(path: string, file: AuthFile, registry: string): Credentials | undefined {
  const auths = file.auths ?? {};
  const key = Object.keys(auths).find((key) => sameRegistry(key, registry));
  const encoded = key === undefined ? undefined : auths[key]?.auth;
  if (typeof encoded !== "string" || encoded === "") return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)));
  } catch {
    throw new PlashError(`${path}: the entry for ${key} is not base64`);
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new PlashError(`${path}: the entry for ${key} has no password`);
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Stores `credentials` for `registry`, replacing what it had: with the
 * helper {@linkcode authFilePath} names for it, else in that file.
 */
export async function storeCredentials(
  registry: string,
  credentials: Credentials,
): Promise<void> {
  const path = authFilePath();
  const file = readAuthFile(path);
  const helper = helperFor(file, registry);
  const auths = withoutRegistry(file.auths ?? {}, registry);
  if (helper !== undefined) {
    await helperStore(helper, serverOf(registry), credentials);
    auths[serverOf(registry)] = {};
  } else {
    auths[serverOf(registry)] = { auth: encodeCredentials(credentials) };
  }
  writeAuthFile(path, { ...file, auths });
}

/** `user:password` in base64, as the file and HTTP Basic authentication hold them. */
export function encodeCredentials(credentials: Credentials): string {
  const text = `${credentials.username}:${credentials.password}`;
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/**
 * Removes the credentials of `registry` from {@linkcode authFilePath} and
 * its helper; returns whether there were any.
 */
export async function removeCredentials(registry: string): Promise<boolean> {
  const path = authFilePath();
  const file = readAuthFile(path);
  const helper = helperFor(file, registry);
  const erased = helper === undefined ? false : await helperErase(helper, serverOf(registry));
  const auths = file.auths ?? {};
  const kept = withoutRegistry(auths, registry);
  if (Object.keys(kept).length === Object.keys(auths).length) return erased;
  writeAuthFile(path, { ...file, auths: kept });
  return true;
}

interface AuthFile {
  auths?: Record<string, { auth?: string } | undefined>;
  credHelpers?: Record<string, unknown>;
  credsStore?: unknown;
  [other: string]: unknown;
}

function readAuthFile(path: string): AuthFile {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return {};
    }
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
