/**
 * An OCI runtime bundle's `config.json` (runtime spec 1.0) for an image:
 * what `plash bundle` writes and `plash runc` hands to runc or crun. The
 * process (args, env, cwd, user) comes from the image's config and the run
 * options, as for `plash run`; the host's directories plash shares are bound
 * the same way; namespaces are mount, pid, ipc and uts (and network with
 * `--net none`), and there are no cgroup limits (`linux.resources`) and no
 * cgroup namespace: runc refuses those on this host's hybrid cgroup layout.
 *
 * Three ways to run it: as real root ("root"); as root of plash's user
 * namespace, which `plash runc` enters first ("namespaced"); or by a caller
 * without root running the runtime itself, which then makes a user namespace
 * with the id mappings given ("rootless"). Without real root, /sys cannot be
 * mounted afresh for a network namespace that is not the caller's, so it is
 * always a read-only bind of the host's.
 *
 * @example
 * ```ts
 * import { ociConfig } from "./runtime_config.ts";
 *
 * const config = ociConfig({
 *   args: ["sh"],
 *   env: ["PATH=/bin"],
 *   cwd: "/",
 *   user: { uid: 0, gid: 0, additionalGids: [] },
 *   binds: [{ source: "/home", target: "/home" }],
 *   network: "host",
 *   mode: "root",
 * });
 * const dir = Deno.makeTempDirSync(); // a bundle
 * Deno.writeTextFileSync(`${dir}/config.json`, JSON.stringify(config, null, 2));
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import type { Hook } from "./container_edits.ts";
import type { HostDeviceNode } from "./device_node.ts";

/** One line of an id mapping: `size` ids from `containerID` are `hostID`... on the host. */
export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

/** Who runs the runtime (see the module documentation). */
export type OciMode = "root" | "namespaced" | "rootless";

/** A host path shown in the container. */
export interface OciBind {
  source: string;
  target: string;
  readOnly?: boolean;
}

/** What goes into a config. */
export interface OciConfigInput {
  args: string[];
  /** NAME=VALUE strings. */
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  /** The host's shared directories, the image's mounts and the caller's `-v`s, in order. */
  binds: OciBind[];
  /** "host": the host's network, as plash shares it; "none": a network namespace of its own. */
  network: "host" | "none";
  mode: OciMode;
  /** Device nodes made (as root) or bound (in a user namespace) by the runtime. */
  devices?: HostDeviceNode[];
  /** /dev is the container's own, as a runtime makes it, not the host's bound (`own_dev.ts`). */
  ownDev?: boolean;
  /** Hooks the runtime runs, by their point. */
  hooks?: Hook[];
  /** For "rootless": the user namespace's mappings (what plash's own namespace maps). */
  idMaps?: { uids: IdMapping[]; gids: IdMapping[] };
}

/** The OCI runtime spec version the configs declare. */
export const OCI_VERSION = "1.0.2";

/** Docker's default capabilities: a root that can install packages, but not mount. */
const CAPABILITIES = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
];

/** What `runc spec` masks and makes read-only in /proc and /sys. */
const MASKED_PATHS = [
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/sys/firmware",
  "/proc/scsi",
];
const READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

/** A /dev of the container's own, as OCI runtimes' default configs have it. */
const OWN_DEV = [
  {
    destination: "/dev",
    type: "tmpfs",
    source: "tmpfs",
    options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
  },
  {
    destination: "/dev/pts",
    type: "devpts",
    source: "devpts",
    options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"],
  },
  {
    destination: "/dev/shm",
    type: "tmpfs",
    source: "shm",
    options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
  },
  {
    destination: "/dev/mqueue",
    type: "mqueue",
    source: "mqueue",
    options: ["nosuid", "noexec", "nodev"],
  },
];

function bindMount({ source, target, readOnly }: OciBind) {
  // rro (runc >= 1.1, Linux >= 5.12): the mounts below the source read-only too, as plash's own.
  const options = readOnly ? ["rbind", "rprivate", "ro", "rro"] : ["rbind"];
  return { destination: target, type: "bind", source, options };
}

/** The config.json object for `input`. */
export function ociConfig(input: OciConfigInput): Record<string, unknown> {
  const root = input.user.uid === 0;
  // A user other than root keeps the bounding set only, as after plash's own setuid.
  const capabilities = {
    bounding: CAPABILITIES,
    effective: root ? CAPABILITIES : [],
    permitted: root ? CAPABILITIES : [],
  };
  const namespaces = ["pid", "ipc", "uts", "mount"];
  if (input.network === "none") namespaces.push("network");
  if (input.mode === "rootless") namespaces.push("user");
  const mounts = [
    { destination: "/proc", type: "proc", source: "proc" },
    ...(input.ownDev ? OWN_DEV : []),
    ...input.binds.map((bind) =>
      bind.target === "/sys"
        ? { ...bindMount({ ...bind, readOnly: true }), options: ["rbind", "nosuid", "nodev", "ro"] }
        : bindMount(bind)
    ),
    // Bound as plash binds them: a runtime makes no node when /dev is a bind (the host's).
    ...(input.devices ?? []).map(({ hostPath, path }) =>
      bindMount({ source: hostPath, target: path })
    ),
  ];
  const linux: Record<string, unknown> = {
    namespaces: namespaces.map((type) => ({ type })),
    maskedPaths: MASKED_PATHS,
    readonlyPaths: READONLY_PATHS,
  };
  // In a user namespace a runtime binds each device from its container path on the host:
  // one the host has by another name is there by plash's own bind above alone.
  const listed = (input.devices ?? []).filter((node) =>
    input.mode === "root" || node.hostPath === node.path
  );
  if (listed.length) {
    linux.devices = listed.map(({ path, type, major, minor, fileMode, uid, gid }) => ({
      path,
      type,
      major,
      minor,
      fileMode,
      ...(uid === undefined ? {} : { uid }),
      ...(gid === undefined ? {} : { gid }),
    }));
  }
  if (input.mode === "rootless" && input.idMaps) {
    linux.uidMappings = input.idMaps.uids;
    linux.gidMappings = input.idMaps.gids;
  }
  // A rootless runtime may not call setgroups (runc: "cannot set any additional groups").
  const user = input.mode === "rootless" ? { ...input.user, additionalGids: [] } : input.user;
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user,
      args: input.args,
      env: input.env,
      cwd: input.cwd,
      capabilities,
      noNewPrivileges: false,
    },
    root: { path: "rootfs", readonly: false },
    mounts,
    ...(input.hooks?.length ? { hooks: ociHooks(input.hooks) } : {}),
    linux,
  };
}

/** Hooks as config.json has them: a list a point, each without its point's name. */
function ociHooks(hooks: Hook[]): Record<string, unknown[]> {
  const byPoint: Record<string, unknown[]> = {};
  for (const { hookName, ...hook } of hooks) (byPoint[hookName] ??= []).push(hook);
  return byPoint;
}
