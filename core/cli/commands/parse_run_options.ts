/**
 * The options of one run, in the spelling of `docker run` and `podman run`:
 * `-e NAME[=VALUE]`, `--env-file FILE`, `-v SRC:DST[:ro]`, `--mount
 * type=bind,source=SRC,target=DST[,readonly]`, `-w DIR`, `-u USER[:GROUP]`,
 * `--device NAME`, `--cdi-spec-dir DIR` (declared in `running.ts`).
 * Parsed here into what the runtime takes (`core/runtime/run_options.ts`);
 * what is wrong with them fails in one line before anything is set up.
 * Loaded only for a run that has options (`core/cmd/run.ts`).
 *
 * @example
 * ```ts
 * import { parseVolume, runOptionsFrom } from "./parse_run_options.ts";
 *
 * parseVolume("/srv/data:/data:ro", "/"); // { source: "/srv/data", target: "/data", readOnly: true }
 * const options = runOptionsFrom((name) => name === "user" ? ["nobody"] : []);
 * options.user; // "nobody"
 * ```
 *
 * @module
 */

import { PlashError, reason } from "../../errors.ts";
import { parseDeviceRequest } from "../../runtime/cdi/request.ts";
import type { RunOptions, Volume } from "../../runtime/run_options.ts";

function usage(message: string): PlashError {
  return new PlashError(message);
}

/** `path` without `.` parts, duplicate or trailing slashes; `..` is refused. */
export function cleanTarget(path: string, what: string): string {
  if (!path.startsWith("/")) throw usage(`${what} must be an absolute path: ${path}`);
  const parts = path.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) throw usage(`${what} must not contain '..': ${path}`);
  return `/${parts.join("/")}`;
}

/** A bind's target: clean, and not the image root itself (as docker refuses it). */
function bindTarget(path: string, what: string): string {
  const target = cleanTarget(path, what);
  if (target === "/") throw usage(`${what} must not be / (the image's root)`);
  return target;
}

function hostPath(path: string, cwd: string, what: string): string {
  if (path.startsWith("/")) return path;
  if (path === "." || path.startsWith("./") || path.startsWith("../") || path === "..") {
    return `${cwd === "/" ? "" : cwd}/${path}`;
  }
  throw usage(`${what} must be a host path (plash has no named volumes): ${path}`);
}

/** `-v SRC:DST[:OPTIONS]` with options `ro` or `rw`; a relative SRC (./x) is from `cwd`. */
export function parseVolume(text: string, cwd: string): Volume {
  const parts = text.split(":");
  if (parts.length < 2 || parts.length > 3 || parts[0] === "" || parts[1] === "") {
    throw usage(`-v needs SRC:DST[:ro], got: ${text}`);
  }
  let readOnly = false;
  for (const option of parts[2]?.split(",") ?? []) {
    if (option === "ro" || option === "readonly") readOnly = true;
    else if (option !== "rw") throw usage(`-v ${text}: unknown option ${option} (ro or rw)`);
  }
  return {
    source: hostPath(parts[0], cwd, "-v source"),
    target: bindTarget(parts[1], "-v target"),
    readOnly,
  };
}

/**
 * `--mount type=bind,source=SRC,target=DST[,readonly]` as docker spells it
 * (also `src`, `dst`, `destination`, `ro`, `readonly=true|false`); only
 * binds: plash has no volumes or tmpfs mounts of its own.
 */
export function parseMount(text: string, cwd: string): Volume {
  const fields = new Map<string, string | undefined>();
  for (const field of text.split(",")) {
    const equals = field.indexOf("=");
    const key = equals === -1 ? field : field.slice(0, equals);
    fields.set(key, equals === -1 ? undefined : field.slice(equals + 1));
  }
  if (fields.get("type") !== "bind") {
    throw usage(`--mount ${text}: only type=bind is supported`);
  }
  const pick = (...keys: string[]) => keys.map((key) => fields.get(key)).find((v) => v);
  const source = pick("source", "src");
  const target = pick("target", "destination", "dst");
  if (source === undefined || target === undefined) {
    throw usage(`--mount ${text}: needs source= and target=`);
  }
  let readOnly = false;
  for (const [key, value] of fields) {
    if (["type", "source", "src", "target", "destination", "dst"].includes(key)) continue;
    if (key !== "readonly" && key !== "ro") throw usage(`--mount ${text}: unknown field ${key}`);
    if (value !== undefined && !["true", "false", "1", "0"].includes(value)) {
      throw usage(`--mount ${text}: ${key} is true or false`);
    }
    readOnly = value === undefined || value === "true" || value === "1";
  }
  return {
    source: hostPath(source, cwd, "--mount source"),
    target: bindTarget(target, "--mount target"),
    readOnly,
  };
}

/**
 * The entries of an env file as docker reads one: a line is NAME=VALUE, or
 * NAME for the host's value; blank lines and lines starting with # are
 * skipped; nothing is unquoted.
 */
export function readEnvFile(path: string): string[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new PlashError(`--env-file ${path}: ${reason(error)}`, { cause: error });
  }
  return text.split("\n").map((line) => line.replace(/\r$/, "")).filter((line) =>
    line.trim() !== "" && !line.trimStart().startsWith("#")
  ).map((line) => checkedEntry(line.trimStart(), `--env-file ${path}`));
}

function checkedEntry(entry: string, what: string): string {
  const name = entry.split("=")[0];
  if (name === "" || /\s/.test(name)) throw usage(`${what}: not a variable: ${entry}`);
  return entry;
}

/**
 * The run options given on a command line: `values(name)` lists the values
 * of the long option `name` in order (`Args.values`). Env files are read now,
 * from `cwd` like relative `-v` sources.
 */
export function runOptionsFrom(
  values: (name: string) => string[],
  cwd: string = Deno.cwd(),
): RunOptions {
  const options: RunOptions = {};
  const env = [
    ...values("env-file").flatMap(readEnvFile),
    ...values("env").map((entry) => checkedEntry(entry, "-e")),
  ];
  if (env.length) options.env = env;
  const volumes = [
    ...values("volume").map((text) => parseVolume(text, cwd)),
    ...values("mount").map((text) => parseMount(text, cwd)),
  ];
  if (volumes.length) options.volumes = volumes;
  const workdir = values("workdir").at(-1);
  if (workdir !== undefined) options.workdir = cleanTarget(workdir, "-w");
  const user = values("user").at(-1);
  if (user !== undefined) options.user = user;
  // Read now so that a malformed name fails before anything is set up; the
  // specs and host nodes are read when the container is (cdi/resolve.ts).
  const devices = values("device");
  devices.forEach(parseDeviceRequest);
  if (devices.length) options.devices = devices;
  const specDirs = values("cdi-spec-dir").map((dir) =>
    dir.startsWith("/") ? dir : `${cwd === "/" ? "" : cwd}/${dir}`
  );
  if (specDirs.length) options.cdiSpecDirs = specDirs;
  return options;
}
