/**
 * Which OCI runtime `plash runc` uses: `$PLASH_OCI_RUNTIME` (a name on PATH
 * or a path), else the first of runc and crun on PATH (and the sbin
 * directories, where Debian puts runc, after it) that this host's
 * cgroups let run. crun refuses the hybrid layout (cgroup v1 controllers with
 * a cgroup v2 hierarchy at /sys/fs/cgroup/unified that has controllers of its
 * own: "cgroups in hybrid mode not supported"), which is known before it is
 * started, so plash says so in one line instead.
 *
 * @example
 * ```ts
 * import { chooseOciRuntime } from "./oci_runtime.ts";
 *
 * const runtime = chooseOciRuntime(); // { name: "runc", path: "/usr/sbin/runc" }, or throws
 * ```
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { DEFAULT_PATH } from "./environment.ts";
import { findExecutable } from "./exec.ts";

/** An OCI runtime found on this host. */
export interface OciRuntime {
  /** Its program name: runc, crun, or what PLASH_OCI_RUNTIME names. */
  name: string;
  /** Where it is. */
  path: string;
}

/** Where plash looks after PATH. */
const SBIN = "/usr/local/sbin:/usr/sbin:/sbin";

/** The runtimes plash looks for, in order. */
export const OCI_RUNTIMES = ["runc", "crun"];

function read(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return undefined;
  }
}

/**
 * The cgroup layout: "unified" (v2 only), "hybrid" (v1 controllers and a v2
 * hierarchy at /sys/fs/cgroup/unified) or "legacy" (v1 only).
 */
export function cgroupLayout(): "unified" | "hybrid" | "legacy" {
  if (read("/sys/fs/cgroup/cgroup.controllers") !== undefined) return "unified";
  return read("/sys/fs/cgroup/unified/cgroup.controllers") === undefined ? "legacy" : "hybrid";
}

/** Why this host's cgroups refuse `runtime`, or undefined when nothing is known against it. */
export function cgroupRefusal(runtime: OciRuntime): string | undefined {
  if (runtime.name !== "crun" || cgroupLayout() !== "hybrid") return undefined;
  const controllers = read("/sys/fs/cgroup/unified/cgroup.controllers");
  if (!controllers) return undefined; // crun runs on a hybrid layout whose v2 half is empty
  return `crun refuses this host's hybrid cgroup layout (v1 controllers, and ${controllers} ` +
    "on the v2 hierarchy at /sys/fs/cgroup/unified)";
}

/** The runtimes on this host's PATH (and PLASH_OCI_RUNTIME's), in the order plash tries them. */
export function findOciRuntimes(env: Record<string, string> = Deno.env.toObject()): OciRuntime[] {
  // Debian puts runc in /usr/sbin, which a user's PATH lacks: the sbin directories come last.
  const path = `${env.PATH ?? DEFAULT_PATH}:${SBIN}`;
  const chosen = env.PLASH_OCI_RUNTIME;
  const names = chosen ? [chosen] : OCI_RUNTIMES;
  return names.flatMap((name) => {
    const found = findExecutable(name, path);
    return found === undefined
      ? []
      : [{ name: name.slice(name.lastIndexOf("/") + 1), path: found }];
  });
}

/**
 * The runtime `plash runc` runs; fails in one line when there is none, or
 * when this host's cgroups refuse every one there is.
 */
export function chooseOciRuntime(env: Record<string, string> = Deno.env.toObject()): OciRuntime {
  const found = findOciRuntimes(env);
  const usable = found.find((runtime) => cgroupRefusal(runtime) === undefined);
  if (usable) return usable;
  if (found.length) {
    throw new PlashError(
      `runc: ${cgroupRefusal(found[0])}: \`plash doctor\` tells which OCI runtime works here`,
    );
  }
  const wanted = env.PLASH_OCI_RUNTIME
    ? `PLASH_OCI_RUNTIME=${env.PLASH_OCI_RUNTIME} is not an executable on PATH`
    : "no OCI runtime (runc or crun) on PATH: apt-get install runc, or set PLASH_OCI_RUNTIME";
  throw new PlashError(`runc: ${wanted}`);
}
