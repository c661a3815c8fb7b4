/**
 * One CDI spec checked against the CDI specification, versions 0.3.0 to
 * 0.8.0: the fields each version allows (an unknown field, or a field newer
 * than the spec's `cdiVersion`, is refused, as CDI's own reader does), the
 * kind and device names, and the values: absolute paths on both sides,
 * device types, permissions, hook names.
 *
 * @example
 * ```ts
 * import { checkSpec } from "./spec.ts";
 *
 * const spec = checkSpec({
 *   cdiVersion: "0.5.0",
 *   kind: "vendor.com/device",
 *   devices: [{ name: "0", containerEdits: { deviceNodes: [{ path: "/dev/vendor0" }] } }],
 * }, "/etc/cdi/vendor.json");
 * spec.devices[0].edits.deviceNodes; // [{ path: "/dev/vendor0" }]
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import type { ContainerEdits, DeviceNode, EditMount, Hook, HookName } from "../container_edits.ts";
import { deviceNameFault, kindFault } from "./names.ts";

/** The CDI versions plash reads, oldest first. */
export const CDI_VERSIONS = ["0.3.0", "0.4.0", "0.5.0", "0.6.0", "0.7.0", "0.8.0"];

/** A spec's or a device's edits, and whether they ask for what plash cannot do. */
export interface SpecEdits extends ContainerEdits {
  /** An `intelRdt` (resctrl) edit is there: plash cannot apply it. */
  intelRdt: boolean;
}

/** One device of a spec. */
export interface CdiDevice {
  /** Its name within the spec's kind. */
  name: string;
  /** Its own edits, made only when it is asked for. */
  edits: SpecEdits;
}

/** A checked CDI spec file. */
export interface CdiSpec {
  /** The file it was read from. */
  path: string;
  /** Its `cdiVersion`, without a leading `v`. */
  version: string;
  /** `vendor.com/class`. */
  kind: string;
  /** Edits made when any of its devices is asked for. */
  edits: SpecEdits;
  /** Its devices, at least one. */
  devices: CdiDevice[];
}

const HOOK_NAMES: HookName[] = [
  "prestart",
  "createRuntime",
  "createContainer",
  "startContainer",
  "poststart",
  "poststop",
];

type Json = Record<string, unknown>;

/** Walks one spec: knows its version, says where in the file a fault is. */
class Checker {
  version = "";
  /** Read from YAML, where a plain `name: 0` is a number. */
  readonly yaml: boolean;

  constructor(readonly file: string) {
    this.yaml = !file.endsWith(".json");
  }

  fail(where: string, why: string): never {
    throw new PlashError(`CDI spec ${this.file}: ${where ? `${where} ` : ""}${why}`);
  }

  /** `value` as an object whose fields are in `fields` (name -> the CDI version that added it). */
  object(value: unknown, where: string, fields: Record<string, string>): Json {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(where, "must be an object");
    }
    for (const [name, field] of Object.entries(value)) {
      const since = fields[name];
      if (since === undefined) this.fail(where ? `${where}.${name}` : name, "is not a CDI field");
      if (field !== null && this.older(since)) {
        this.fail(
          where ? `${where}.${name}` : name,
          `came with CDI ${since}, the spec says cdiVersion ${this.version}`,
        );
      }
    }
    return value as Json;
  }

  /** Whether the spec's version is older than `version`. */
  older(version: string): boolean {
    return CDI_VERSIONS.indexOf(this.version) < CDI_VERSIONS.indexOf(version);
  }

  string(value: unknown, where: string): string {
    // CDI's Go reader gives a YAML whole number in a string field as text: `name: 0` is "0".
    if (this.yaml && Number.isInteger(value)) return String(value);
    if (typeof value !== "string") this.fail(where, "must be a string");
    return value;
  }

  absolute(value: unknown, where: string): string {
    const path = this.string(value, where);
    if (!path.startsWith("/")) this.fail(where, `must be an absolute path: ${path}`);
    return path;
  }

  integer(value: unknown, where: string, min: number, max: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.fail(where, `must be a whole number from ${min} to ${max}`);
    }
    return value;
  }

  /** A list, `null` and missing taken as empty (as Go reads them). */
  list<T>(value: unknown, where: string, item: (value: unknown, where: string) => T): T[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(where, "must be a list");
    return value.map((entry, index) => item(entry, `${where}[${index}]`));
  }

  env(value: unknown, where: string): string[] {
    return this.list(value, where, (entry, at) => {
      const text = this.string(entry, at);
      if (text.indexOf("=") <= 0) this.fail(at, `must be NAME=VALUE: ${text}`);
      return text;
    });
  }

  /** Annotations: plash reads none, but they must be strings, as CDI says. */
  annotations(value: unknown, where: string): void {
    if (value === undefined || value === null) return;
    if (typeof value !== "object" || Array.isArray(value)) this.fail(where, "must be an object");
    for (const [name, text] of Object.entries(value)) this.string(text, `${where}.${name}`);
  }
}

const NODE_FIELDS = {
  path: "0.3.0",
  hostPath: "0.5.0",
  type: "0.3.0",
  major: "0.3.0",
  minor: "0.3.0",
  fileMode: "0.3.0",
  permissions: "0.3.0",
  uid: "0.3.0",
  gid: "0.3.0",
};

function deviceNode(check: Checker, value: unknown, where: string): DeviceNode {
  const raw = check.object(value, where, NODE_FIELDS);
  const node: DeviceNode = { path: check.absolute(raw.path, `${where}.path`) };
  if (raw.hostPath) node.hostPath = check.absolute(raw.hostPath, `${where}.hostPath`);
  if (raw.type) {
    const type = check.string(raw.type, `${where}.type`);
    if (!["b", "c", "u", "p"].includes(type)) check.fail(`${where}.type`, "must be b, c, u or p");
    // `u` (unbuffered) is a character device to the kernel.
    node.type = type === "u" ? "c" : type as DeviceNode["type"];
  }
  // Go reads a missing or null number as 0; 0 also means "the host's" there.
  if (raw.major) node.major = check.integer(raw.major, `${where}.major`, 0, 2 ** 32 - 1);
  if (raw.minor) node.minor = check.integer(raw.minor, `${where}.minor`, 0, 2 ** 32 - 1);
  if (raw.fileMode !== undefined && raw.fileMode !== null) {
    node.fileMode = check.integer(raw.fileMode, `${where}.fileMode`, 0, 0o7777);
  }
  if (raw.permissions) {
    const permissions = check.string(raw.permissions, `${where}.permissions`);
    if (permissions !== "none" && !/^[rwm]+$/.test(permissions)) {
      check.fail(`${where}.permissions`, `must be letters of rwm, or none: ${permissions}`);
    }
    node.permissions = permissions === "none" ? "" : permissions;
  }
  for (const id of ["uid", "gid"] as const) {
    if (raw[id] !== undefined && raw[id] !== null) {
      node[id] = check.integer(raw[id], `${where}.${id}`, 0, 2 ** 32 - 1);
    }
  }
  return node;
}

function mount(check: Checker, value: unknown, where: string): EditMount {
  const raw = check.object(value, where, {
    hostPath: "0.3.0",
    containerPath: "0.3.0",
    options: "0.3.0",
    type: "0.4.0",
  });
  const result: EditMount = {
    hostPath: check.absolute(raw.hostPath, `${where}.hostPath`),
    containerPath: check.absolute(raw.containerPath, `${where}.containerPath`),
  };
  if (raw.type) result.type = check.string(raw.type, `${where}.type`);
  const options = check.list(raw.options, `${where}.options`, (v, at) => check.string(v, at));
  if (options.length) result.options = options;
  return result;
}

function hook(check: Checker, value: unknown, where: string): Hook {
  const raw = check.object(value, where, {
    hookName: "0.3.0",
    path: "0.3.0",
    args: "0.3.0",
    env: "0.3.0",
    timeout: "0.3.0",
  });
  const hookName = check.string(raw.hookName, `${where}.hookName`) as HookName;
  if (!HOOK_NAMES.includes(hookName)) {
    check.fail(`${where}.hookName`, `must be one of ${HOOK_NAMES.join(", ")}: ${hookName}`);
  }
  const result: Hook = { hookName, path: check.absolute(raw.path, `${where}.path`) };
  const args = check.list(raw.args, `${where}.args`, (v, at) => check.string(v, at));
  if (args.length) result.args = args;
  const env = check.env(raw.env, `${where}.env`);
  if (env.length) result.env = env;
  if (raw.timeout !== undefined && raw.timeout !== null) {
    result.timeout = check.integer(raw.timeout, `${where}.timeout`, 1, 2 ** 31 - 1);
  }
  return result;
}

function edits(check: Checker, value: unknown, where: string): SpecEdits {
  if (value === undefined || value === null) {
    return { env: [], deviceNodes: [], mounts: [], hooks: [], additionalGids: [], intelRdt: false };
  }
  const raw = check.object(value, where, {
    env: "0.3.0",
    deviceNodes: "0.3.0",
    hooks: "0.3.0",
    mounts: "0.3.0",
    intelRdt: "0.7.0",
    additionalGids: "0.7.0",
  });
  if (raw.intelRdt !== undefined && raw.intelRdt !== null) {
    const rdt = check.object(raw.intelRdt, `${where}.intelRdt`, {
      closID: "0.7.0",
      l3CacheSchema: "0.7.0",
      memBwSchema: "0.7.0",
    });
    for (const [name, text] of Object.entries(rdt)) check.string(text, `${where}.intelRdt.${name}`);
  }
  return {
    env: check.env(raw.env, `${where}.env`),
    deviceNodes: check.list(
      raw.deviceNodes,
      `${where}.deviceNodes`,
      (v, at) => deviceNode(check, v, at),
    ),
    mounts: check.list(raw.mounts, `${where}.mounts`, (v, at) => mount(check, v, at)),
    hooks: check.list(raw.hooks, `${where}.hooks`, (v, at) => hook(check, v, at)),
    // CDI ignores a group 0: the process has it already.
    additionalGids: check.list(
      raw.additionalGids,
      `${where}.additionalGids`,
      (v, at) => check.integer(v, at, 0, 2 ** 32 - 1),
    ).filter((gid) => gid !== 0),
    intelRdt: raw.intelRdt !== undefined && raw.intelRdt !== null,
  };
}

function isEmpty(edits: SpecEdits): boolean {
  return !edits.intelRdt && [
    edits.env,
    edits.deviceNodes,
    edits.mounts,
    edits.hooks,
    edits.additionalGids,
  ].every((list) => list.length === 0);
}

/** The fields that need a version newer than 0.3.0 besides new field names. */
function checkNames(check: Checker, kind: string, names: string[]): void {
  const kindFaultText = kindFault(kind);
  if (kindFaultText) check.fail("", kindFaultText);
  if (kind.split("/")[1].includes(".") && check.older("0.6.0")) {
    check.fail("kind", `has a dot in its class, which came with CDI 0.6.0: ${kind}`);
  }
  const seen = new Set<string>();
  names.forEach((name, index) => {
    const where = `devices[${index}].name`;
    const fault = deviceNameFault(name);
    if (fault) check.fail("", fault);
    if (/^[0-9]/.test(name) && check.older("0.5.0")) {
      check.fail(where, `starts with a digit, which came with CDI 0.5.0: ${name}`);
    }
    if (seen.has(name)) check.fail(where, `names a second device ${name}`);
    seen.add(name);
  });
}

/**
 * `value` (a parsed spec file, read from `file`) checked; what is wrong is
 * one line naming the file and the field.
 */
export function checkSpec(value: unknown, file: string): CdiSpec {
  const check = new Checker(file);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    check.fail("", "is not a CDI spec (an object with cdiVersion, kind and devices)");
  }
  const declared = check.string((value as Json).cdiVersion, "cdiVersion").replace(/^v/, "");
  if (!CDI_VERSIONS.includes(declared)) {
    check.fail(
      "cdiVersion",
      `${declared} is not one plash reads (${CDI_VERSIONS[0]} to ${CDI_VERSIONS.at(-1)})`,
    );
  }
  check.version = declared;
  const top = check.object(value, "", {
    cdiVersion: "0.3.0",
    kind: "0.3.0",
    annotations: "0.6.0",
    devices: "0.3.0",
    containerEdits: "0.3.0",
  });
  check.annotations(top.annotations, "annotations");
  const kind = check.string(top.kind, "kind");
  const devices = check.list(top.devices, "devices", (entry, where): CdiDevice => {
    const raw = check.object(entry, where, {
      name: "0.3.0",
      annotations: "0.6.0",
      containerEdits: "0.3.0",
    });
    check.annotations(raw.annotations, `${where}.annotations`);
    const device = {
      name: check.string(raw.name, `${where}.name`),
      edits: edits(check, raw.containerEdits, `${where}.containerEdits`),
    };
    if (isEmpty(device.edits)) check.fail(`${where}.containerEdits`, "are empty");
    return device;
  });
  if (devices.length === 0) check.fail("devices", "must list at least one device");
  checkNames(check, kind, devices.map((device) => device.name));
  return {
    path: file,
    version: declared,
    kind,
    edits: edits(check, top.containerEdits, "containerEdits"),
    devices,
  };
}
