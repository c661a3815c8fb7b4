/**
 * The edits of every device of one run made into one {@linkcode ContainerEdits}.
 * Within one source (a CDI spec file, a `--device` request) a later edit
 * replaces an earlier one of the same thing, as CDI appends them in order
 * (a device's env over its spec's). Two sources that disagree on one thing
 * (a device node path with other numbers, an env name with another value, a
 * mount target with another source) are refused in one line: which one
 * should win is nobody's decision but the caller's. What two sources agree
 * on is made once.
 *
 * @example
 * ```ts
 * import { EditsMerger } from "./merge_edits.ts";
 *
 * const merger = new EditsMerger();
 * merger.add({ env: ["A=1"], deviceNodes: [], mounts: [], hooks: [], additionalGids: [] }, "a.json");
 * merger.add({ env: ["A=1"], deviceNodes: [], mounts: [], hooks: [], additionalGids: [] }, "b.json");
 * merger.result().env; // ["A=1"]
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import type { ContainerEdits, DeviceNode, EditMount } from "../container_edits.ts";

/** Entries by key, each with the source it came from, in first-seen order. */
class Keyed<T> {
  readonly entries = new Map<string, { value: T; source: string }>();

  constructor(
    readonly what: string,
    readonly describe: (value: T) => string,
  ) {}

  set(key: string, value: T, source: string): void {
    const seen = this.entries.get(key);
    if (seen && seen.source !== source && JSON.stringify(seen.value) !== JSON.stringify(value)) {
      throw new PlashError(
        `conflicting device edits: ${this.what} ${key} is ${
          this.describe(seen.value)
        } in ${seen.source}, ${this.describe(value)} in ${source}`,
      );
    }
    this.entries.set(key, { value, source: seen?.source ?? source });
  }

  values(): T[] {
    return [...this.entries.values()].map((entry) => entry.value);
  }
}

function describeNode(node: DeviceNode): string {
  const numbers = node.type === "p" ? "" : ` ${node.major ?? "?"}:${node.minor ?? "?"}`;
  const mode = node.fileMode === undefined ? "" : ` mode ${node.fileMode.toString(8)}`;
  const access = node.permissions === undefined ? "" : ` ${node.permissions || "none"}`;
  const owner = node.uid === undefined && node.gid === undefined
    ? ""
    : ` owner ${node.uid ?? "-"}:${node.gid ?? "-"}`;
  return `${node.type ?? "?"}${numbers} from ${node.hostPath ?? node.path}${mode}${access}${owner}`;
}

function describeMount(mount: EditMount): string {
  const options = mount.options?.length ? ` (${mount.options.join(",")})` : "";
  return `${
    mount.type && mount.type !== "bind" ? `${mount.type} ` : ""
  }${mount.hostPath}${options}`;
}

function depth(mount: EditMount): number {
  return mount.containerPath.split("/").filter((part) => part !== "").length;
}

/** Gathers the edits of a run's devices, refusing conflicts between sources. */
export class EditsMerger {
  #env = new Keyed<string>("env", (value) => JSON.stringify(value));
  #nodes = new Keyed<DeviceNode>("device node", describeNode);
  #mounts = new Keyed<EditMount>("mount", describeMount);
  #hooks = new Map<string, ContainerEdits["hooks"][number]>();
  #gids = new Set<number>();

  /** Adds `edits` of `source` (a spec file's path, a request). */
  add(edits: ContainerEdits, source: string): void {
    for (const entry of edits.env) {
      const equals = entry.indexOf("=");
      this.#env.set(entry.slice(0, equals), entry.slice(equals + 1), source);
    }
    for (const node of edits.deviceNodes) this.#nodes.set(node.path, node, source);
    for (const mount of edits.mounts) this.#mounts.set(mount.containerPath, mount, source);
    for (const hook of edits.hooks) this.#hooks.set(JSON.stringify(hook), hook);
    for (const gid of edits.additionalGids) this.#gids.add(gid);
  }

  /** Everything added, each thing once. */
  result(): ContainerEdits {
    return {
      env: [...this.#env.entries].map(([name, { value }]) => `${name}=${value}`),
      deviceNodes: this.#nodes.values(),
      // Parents before what is mounted inside them, as CDI sorts them (stable).
      mounts: this.#mounts.values().sort((a, b) => depth(a) - depth(b)),
      hooks: [...this.#hooks.values()],
      additionalGids: [...this.#gids],
    };
  }
}
