/**
 * Image arguments that are not numbers: a name given with `plash map` or
 * `plash tag`, or a reference an image was pulled as, resolved from what
 * is in the store only (never a pull), as podman resolves its local images:
 *
 * 1. a map key, exactly as written (`web`, `docker-ref:...`, `cache:...`);
 * 2. a reference with a registry (`127.0.0.1:5000/app:v1`,
 *    `docker.io/library/alpine`, `host/app@sha256:...`): the image pulled
 *    as that reference (`:latest` when neither tag nor digest is given), or,
 *    for a digest, the image whose manifest has it, pulled from that
 *    repository;
 * 3. a short name (`alpine:3.20`): its alias, else the name in each of
 *    registries.conf's search registries (docker.io by default), the first
 *    one pulled wins; else any reference whose repository and tag end the
 *    same way (`app:v1` is `127.0.0.1:5000/app:v1`), when only one image
 *    has such a name.
 *
 * Anything else is one line saying what is there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveImage } from "./names.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * store.setMap("docker-ref:docker.io/library/alpine:3.20", id); // `plash pull alpine:3.20`
 * assert.equal(await resolveImage(store, "alpine:3.20"), id);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { type ImageArgOptions, parseImageId } from "../store/ids.ts";
import { keyKind, KEYS, keyValue, shownKey } from "../store/keys.ts";
import type { Store } from "../store/store.ts";
import {
  formatReference,
  parseReference,
  type Reference,
  referenceKey,
  registryOf,
} from "./registry/reference.ts";

/** A name or reference of an image in the store. */
export interface ImageName {
  /** The map key. */
  key: string;
  /** How it is shown: the name, or the reference without plash's prefix. */
  shown: string;
  /** Whether it is a user's name or a reference an image was pulled as. */
  kind: "name" | "reference";
  /** The image. */
  id: number;
}

/**
 * The names and references of the images in `store` (not the internal
 * keys), names first, each group sorted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imageNames } from "./names.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * store.setMap("docker-ref:docker.io/library/alpine:3.20", id); // `plash pull alpine:3.20`
 * store.setMap("web", id);
 * const names = imageNames(store).map((name) => `${name.shown} ${name.id}`);
 * assert.deepEqual(names, [`web ${id}`, `docker.io/library/alpine:3.20 ${id}`]);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export function imageNames(store: Store): ImageName[] {
  const names: ImageName[] = [];
  for (const entry of store.mapEntries()) {
    const kind = keyKind(entry.key).shown;
    if (kind === "internal") continue;
    // A name whose image was removed is no name.
    if (store.getMap(entry.key) === undefined) continue;
    names.push({ key: entry.key, shown: shownKey(entry.key), kind, id: entry.id });
  }
  const order = (name: ImageName) => name.kind === "name" ? 0 : 1;
  return names.sort((a, b) => order(a) - order(b) || a.shown.localeCompare(b.shown));
}

/**
 * The image `text` names: an id (a number, read as {@linkcode parseImageId}
 * reads it), else a name or reference in `store` (see the module); an
 * unknown or ambiguous name fails in one line listing what is there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveImage } from "./names.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * store.setMap("web", id); // `plash tag ID web`
 * assert.equal(await resolveImage(store, "7"), 7); // an id, whether there or not
 * assert.equal(await resolveImage(store, "web"), id);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export async function resolveImage(
  store: Store,
  text: string,
  options: ImageArgOptions = {},
): Promise<number> {
  // What can be no name is read as the original plash read an image arg.
  if (/^\d+$/.test(text) || text === "" || text.startsWith("-")) {
    return parseImageId(text, options);
  }
  const found = await findImageKey(store, text);
  if (found !== undefined) return found.id;
  throw unknownImageArgError(store, text);
}

/**
 * The map key `text` (a name or reference, not an id) finds in `store`, and
 * its image; undefined when none does; an ambiguous short name fails in one
 * line listing the candidates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findImageKey } from "./names.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * store.setMap("docker-ref:docker.io/library/alpine:latest", id);
 * const found = await findImageKey(store, "alpine");
 * assert.deepEqual(found, { key: "docker-ref:docker.io/library/alpine:latest", id });
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export async function findImageKey(
  store: Store,
  text: string,
): Promise<{ key: string; id: number } | undefined> {
  const exact = store.getMap(text);
  if (exact !== undefined) return { key: text, id: exact };
  let ref: Reference;
  try {
    ref = parseReference(text);
  } catch {
    return undefined; // no reference: a name that is not there
  }
  if (registryOf(text) !== undefined) return findQualified(store, ref);
  // Loaded only for a short name: it reads registries.conf.
  const { loadRegistriesConf, shortNameCandidates } = await lazyImport("registriesConf");
  for (const candidate of shortNameCandidates(await loadRegistriesConf(), text)) {
    const found = findQualified(store, parseReference(candidate));
    if (found) return found;
  }
  return findBySuffix(store, ref, text);
}

/**
 * The map key a reference written with its registry is pulled as (the key
 * {@linkcode findImageKey} looks up when `text` itself is no key), or
 * undefined for a short name or no reference.
 *
 * @example
 * ```ts
 * import { qualifiedKey } from "./names.ts";
 *
 * qualifiedKey("localhost/web"); // "docker-ref:localhost/web:latest"
 * ```
 */
export function qualifiedKey(text: string): string | undefined {
  try {
    if (registryOf(text) === undefined) return undefined;
    return referenceKey(formatReference(parseReference(text)));
  } catch {
    return undefined;
  }
}

/**
 * The image already pulled as what `text` names where it would be pulled
 * from (a full reference, or a short name's alias or search registries), if
 * any: what `--from-docker` builds on without asking a registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findPulled } from "./names.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * store.setMap("docker-ref:docker.io/library/alpine:3.20", id); // `plash pull alpine:3.20`
 * assert.equal(await findPulled(store, "alpine:3.20"), id);
 * assert.equal(await findPulled(store, "alpine:3.19"), undefined);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export async function findPulled(store: Store, text: string): Promise<number | undefined> {
  const { loadRegistriesConf, shortNameCandidates } = await lazyImport("registriesConf");
  for (const candidate of shortNameCandidates(await loadRegistriesConf(), text)) {
    const found = findQualified(store, parseReference(candidate));
    if (found) return found.id;
  }
  return undefined;
}

/** The image pulled as `ref` (written in full), or by its digest from its repository. */
function findQualified(store: Store, ref: Reference): { key: string; id: number } | undefined {
  const key = referenceKey(formatReference(ref));
  const id = store.getMap(key);
  if (id !== undefined) return { key, id };
  if (ref.digest === undefined) return undefined;
  const byDigest = store.getMap(KEYS.dockerManifest(ref.digest));
  if (byDigest === undefined) return undefined;
  // Only an image pulled from this repository: a digest names content, and
  // the same repository is what the user asked for.
  const repository = `${ref.registry}/${ref.repository}`;
  const named = imageNames(store).find((name) =>
    name.kind === "reference" && name.id === byDigest &&
    sameRepository(keyValue(name.key), repository)
  );
  return named ? { key: KEYS.dockerManifest(ref.digest), id: byDigest } : undefined;
}

function sameRepository(reference: string, repository: string): boolean {
  try {
    const ref = parseReference(reference);
    return `${ref.registry}/${ref.repository}` === repository;
  } catch {
    return false;
  }
}

/** A reference's repository and tag or digest without its registry (and docker.io's `library/`). */
function tail(ref: Reference): string {
  const repository = ref.registry === "docker.io"
    ? ref.repository.replace(/^library\//, "")
    : ref.repository;
  const tag = ref.tag === undefined ? "" : `:${ref.tag}`;
  return `${repository}${tag}${ref.digest === undefined ? "" : `@${ref.digest}`}`;
}

/** The one image whose reference ends as short name `ref` does, if only one does. */
function findBySuffix(
  store: Store,
  ref: Reference,
  text: string,
): { key: string; id: number } | undefined {
  const wanted = tail(ref);
  const matches = imageNames(store).filter((name) => {
    if (name.kind !== "reference") return false;
    try {
      return tail(parseReference(keyValue(name.key))) === wanted;
    } catch {
      return false;
    }
  });
  const ids = new Set(matches.map((match) => match.id));
  if (ids.size === 1) return { key: matches[0].key, id: matches[0].id };
  if (ids.size === 0) return undefined;
  const listed = matches.map((match) => `${match.shown} (image ${match.id})`).join(", ");
  throw new PlashError(`ambiguous image name ${text}: ${listed}; give one in full`);
}

/** At most this many names are listed in an error. */
const LISTED = 8;

/**
 * The one-line error for a name `text` that names no image in `store`,
 * listing the names and references that are there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unknownNameError } from "./names.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * store.setMap("web", store.addLayer(0, store.makeTmpDir()));
 * const message = unknownNameError(store, "myimg").message;
 * assert.match(message, /^no image named myimg; the store has web/);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export function unknownNameError(store: Store, text: string): PlashError {
  return new PlashError(`no image named ${text}; ${storeNamesNote(store)}`);
}

/**
 * The one-line error for an image argument `text` that is neither an id nor
 * a name in `store`: the original plash's words (scripts grep for "must be a
 * positive number"), then what the store has.
 */
function unknownImageArgError(store: Store, text: string): PlashError {
  return new PlashError(
    `image arg must be a positive number or a name, got: ${text} (${storeNamesNote(store)})`,
  );
}

/** What names `store` has, at most {@linkcode LISTED} of them, for an error. */
function storeNamesNote(store: Store): string {
  const shown = [...new Set(imageNames(store).map((name) => name.shown))];
  if (shown.length === 0) return "the store has no names; an id names an image: see plash ls";
  const more = shown.length > LISTED ? `, and ${shown.length - LISTED} more (plash ls)` : "";
  return `the store has ${shown.slice(0, LISTED).join(", ")}${more}`;
}
