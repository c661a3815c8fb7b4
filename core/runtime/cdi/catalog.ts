/**
 * The CDI devices a host offers: every spec file (`*.json`, `*.yaml`,
 * `*.yml`, not in subdirectories) of the spec directories read and checked.
 * As the CDI specification says, a directory later in the list overrides an
 * earlier one device by device (`/var/run/cdi`, written by tools at boot,
 * over `/etc/cdi`); two specs of one directory that define the same device
 * make it unusable. A file that cannot be read or checked is kept with its
 * error: it fails a request only when it could have held the device asked
 * for, so that a broken spec of one vendor does not take another's away.
 *
 * @example
 * ```ts
 * import { readCatalog } from "./catalog.ts";
 *
 * const catalog = await readCatalog(["/etc/cdi", "/var/run/cdi"]);
 * [...catalog.devices.keys()]; // ["nvidia.com/gpu=0", "nvidia.com/gpu=all"]
 * ```
 *
 * @module
 */

import { PlashError, reason } from "../../errors.ts";
import { lazyImport } from "../../lazy_import.ts";
import { kindFault } from "./names.ts";
import { type CdiDevice, type CdiSpec, checkSpec } from "./spec.ts";

/** Where CDI specs are read by default, lowest priority first. */
export const DEFAULT_SPEC_DIRS = ["/etc/cdi", "/var/run/cdi"];

/** The largest spec file read: NVIDIA's largest are a few hundred KiB. */
export const SPEC_FILE_LIMIT = 8 << 20;

/** A device with the spec it comes from. */
export interface CatalogDevice {
  spec: CdiSpec;
  device: CdiDevice;
}

/** A spec file that could not be used. */
export interface BrokenSpec {
  path: string;
  /** Its `kind` when the file could be parsed far enough to say, and it is a valid one. */
  kind?: string;
  error: PlashError;
}

/** What the spec directories offer. */
export interface Catalog {
  /** The directories read, lowest priority first. */
  dirs: string[];
  /** By qualified name (`vendor.com/class=name`). */
  devices: Map<string, CatalogDevice>;
  /** Devices two specs of one directory define: qualified name -> why it is refused. */
  conflicts: Map<string, string>;
  /** Files that could not be used. */
  broken: BrokenSpec[];
}

/** The bytes of `path`, refused beyond {@linkcode SPEC_FILE_LIMIT}. */
async function readBounded(path: string): Promise<string> {
  using file = await Deno.open(path);
  const buffer = new Uint8Array(SPEC_FILE_LIMIT + 1);
  let length = 0;
  while (length < buffer.length) {
    const read = await file.read(buffer.subarray(length));
    if (read === null) break;
    length += read;
  }
  if (length > SPEC_FILE_LIMIT) {
    throw new PlashError(`is larger than ${SPEC_FILE_LIMIT >> 20} MiB`);
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(buffer.subarray(0, length));
}

/** The parsed contents of spec file `path` (YAML only through the lazily loaded parser). */
async function parseSpecFile(path: string): Promise<unknown> {
  const text = await readBounded(path);
  if (path.endsWith(".json")) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new PlashError(`is not JSON: ${reason(error)}`, { cause: error });
    }
  }
  const { parseYaml } = await lazyImport("cdiYaml");
  return parseYaml(text, path);
}

/** The spec files of `dir` in name order; none when it does not exist. */
async function specFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (/\.(json|ya?ml)$/.test(entry.name)) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw new PlashError(`cannot read CDI spec directory ${dir}: ${reason(error)}`, {
      cause: error,
    });
  }
  const files = [];
  for (const name of names.sort()) {
    const path = `${dir.replace(/\/+$/, "")}/${name}`;
    // Symlinks are followed; only a regular file is read (a fifo would block the run).
    const info = await Deno.stat(path).catch(() => undefined);
    if (info?.isFile) files.push(path);
  }
  return files;
}

/** One spec file read and checked, or what is wrong with it. */
async function loadSpec(path: string): Promise<CdiSpec | BrokenSpec> {
  let parsed: unknown;
  try {
    parsed = await parseSpecFile(path);
  } catch (error) {
    const why = reason(error);
    const message = why.startsWith(path) ? why : `CDI spec ${path}: ${why}`;
    return { path, error: new PlashError(message, { cause: error }) };
  }
  try {
    return checkSpec(parsed, path);
  } catch (error) {
    const kind = (parsed as { kind?: unknown } | null)?.kind;
    return {
      path,
      // Only a kind that could be asked for: another says nothing of what the file holds.
      kind: typeof kind === "string" && kindFault(kind) === undefined ? kind : undefined,
      error: error instanceof PlashError ? error : new PlashError(reason(error)),
    };
  }
}

/** Reads every spec of `dirs`, lowest priority first. */
export async function readCatalog(dirs: string[]): Promise<Catalog> {
  const catalog: Catalog = { dirs, devices: new Map(), conflicts: new Map(), broken: [] };
  for (const dir of dirs) {
    // Which spec defined each device in this directory, to find the same device twice.
    const here = new Map<string, CdiSpec>();
    for (const path of await specFiles(dir)) {
      const loaded = await loadSpec(path);
      if ("error" in loaded) {
        catalog.broken.push(loaded);
        continue;
      }
      for (const device of loaded.devices) {
        const name = `${loaded.kind}=${device.name}`;
        const other = here.get(name);
        if (other) {
          catalog.conflicts.set(name, `CDI device ${name} is defined by ${other.path} and ${path}`);
          continue;
        }
        here.set(name, loaded);
        // A later directory overrides an earlier one's device (and its conflict).
        catalog.conflicts.delete(name);
        catalog.devices.set(name, { spec: loaded, device });
      }
    }
    for (const name of catalog.conflicts.keys()) {
      if (here.has(name)) catalog.devices.delete(name);
    }
  }
  return catalog;
}
