/**
 * `--device` requests made into the edits of one container: CDI names
 * (`vendor.com/class=name`, `vendor.com/class=all`) read from the CDI spec
 * directories, and host device nodes (`/dev/HOST[:/dev/CONTAINER][:rwm]`).
 * A CDI device brings its spec's edits (once per spec) and its own; every
 * device node is completed from its host node now, so that a missing device
 * fails before anything is set up. Loaded only when a run asks for a device.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveDevices } from "./resolve.ts";
 *
 * const dir = Deno.makeTempDirSync(); // /etc/cdi, say
 * Deno.writeTextFileSync(
 *   `${dir}/vendor.json`,
 *   JSON.stringify({
 *     cdiVersion: "0.5.0",
 *     kind: "vendor.com/device",
 *     devices: [{ name: "0", containerEdits: { deviceNodes: [{ path: "/dev/zero" }] } }],
 *   }),
 * );
 * const edits = await resolveDevices(["vendor.com/device=0", "/dev/null"], { specDirs: [dir] });
 * assert.deepEqual(edits.deviceNodes.map((node) => node.path), ["/dev/zero", "/dev/null"]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import type { ContainerEdits } from "../container_edits.ts";
import { type Catalog, type CatalogDevice, DEFAULT_SPEC_DIRS, readCatalog } from "./catalog.ts";
import { completeNode, hostDevice } from "./host_node.ts";
import { EditsMerger } from "./merge_edits.ts";
import type { QualifiedName } from "./names.ts";
import { type DeviceRequest, parseDeviceRequest } from "./request.ts";
import type { SpecEdits } from "./spec.ts";

/** Where to read CDI specs. */
export interface ResolveOptions {
  /** The spec directories, lowest priority first; by default /etc/cdi, then /var/run/cdi. */
  specDirs?: string[];
}

function unknownDevice(request: string, catalog: Catalog): PlashError {
  const known = [...catalog.devices.keys()].sort();
  const where = catalog.dirs.join(", ");
  return new PlashError(
    `no CDI device ${request}; known: ${known.length ? known.join(", ") : `none (in ${where})`}`,
  );
}

/**
 * The devices `name` stands for: the one of that name, or for `all` without
 * a device of that name (`nvidia-ctk` writes one), every device of the kind.
 */
function devicesFor(name: QualifiedName, request: string, catalog: Catalog): CatalogDevice[] {
  // A broken spec of this kind may have held it: its fault is the answer, not "unknown".
  const broken = catalog.broken.find((spec) => spec.kind === name.kind);
  if (broken) throw broken.error;
  const device = catalog.devices.get(request);
  if (device) return [device];
  const ofKind = (key: string) => key.startsWith(`${name.kind}=`);
  // Every device of the kind: none may be left out for a conflict.
  const conflict = catalog.conflicts.get(request) ??
    (name.name === "all" ? [...catalog.conflicts].find(([key]) => ofKind(key))?.[1] : undefined);
  if (conflict) throw new PlashError(conflict);
  if (name.name === "all") {
    const all = [...catalog.devices].filter(([key]) => ofKind(key))
      .sort(([a], [b]) => a < b ? -1 : 1).map(([, found]) => found);
    if (all.length) return all;
  }
  // A spec that could not even say its kind may have held it, too.
  const unreadable = catalog.broken.find((spec) => spec.kind === undefined);
  if (unreadable) throw unreadable.error;
  throw unknownDevice(request, catalog);
}

/** `edits` with their device nodes completed from the host; intelRdt refused. */
function hostEdits(edits: SpecEdits, source: string): ContainerEdits {
  if (edits.intelRdt) throw new PlashError(`${source}: plash cannot apply intelRdt edits`);
  return { ...edits, deviceNodes: edits.deviceNodes.map((node) => completeNode(node, source)) };
}

/**
 * The edits `requests` (the values of `--device`, in order) make; what is
 * wrong with any of them, or with the specs they need, fails in one line.
 */
export async function resolveDevices(
  requests: string[],
  options: ResolveOptions = {},
): Promise<ContainerEdits> {
  // Every request is read before a spec is.
  const parsed = new Map<string, DeviceRequest>(
    requests.map((request) => [request, parseDeviceRequest(request)]),
  );
  const catalog = [...parsed.values()].some((request) => "kind" in request)
    ? await readCatalog(options.specDirs?.length ? options.specDirs : DEFAULT_SPEC_DIRS)
    : undefined;
  const merger = new EditsMerger();
  const specsDone = new Set<string>();
  const devicesDone = new Set<CatalogDevice>();
  for (const request of requests) {
    const asked = parsed.get(request)!;
    if (!("kind" in asked)) {
      const node = hostDevice(asked, request);
      merger.add({ ...emptyEdits(), deviceNodes: [node] }, `--device ${request}`);
      continue;
    }
    for (const found of devicesFor(asked, request, catalog!)) {
      if (devicesDone.has(found)) continue;
      devicesDone.add(found);
      const { spec, device } = found;
      const source = `${spec.path} (${spec.kind}=${device.name})`;
      if (!specsDone.has(spec.path)) {
        specsDone.add(spec.path);
        merger.add(hostEdits(spec.edits, source), spec.path);
      }
      merger.add(hostEdits(device.edits, source), spec.path);
    }
  }
  return merger.result();
}

function emptyEdits(): ContainerEdits {
  return { env: [], deviceNodes: [], mounts: [], hooks: [], additionalGids: [] };
}
