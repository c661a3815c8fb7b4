/**
 * `plash doctor`: each thing plash needs from the host, checked, with the
 * fix when it is missing.
 *
 * @module
 */

import { fuseOverlayPath } from "../../ffi/fuse_overlay.ts";
import { freeBytes } from "../../ffi/filesystem_status.ts";
import { exists as existsPath, libcVersion } from "../../ffi/sys.ts";
import { reason } from "../errors.ts";
import { type Catalog, DEFAULT_SPEC_DIRS, readCatalog } from "../runtime/cdi/catalog.ts";
import { CAP_SYS_ADMIN, hasCapability, mountlessReason } from "../runtime/host_support.ts";
import { POOL_SIZE } from "../runtime/warm_copies.ts";
import { plannedMapping } from "../runtime/id_map.ts";
import { cgroupRefusal, findOciRuntimes, type OciRuntime } from "../runtime/oci_runtime.ts";
import { selfCommand } from "../self_command.ts";
import type { Store } from "../store/store.ts";
import { kernelFeatures } from "./kernel_features.ts";

/** One finding. */
export interface Check {
  name: string;
  ok: boolean;
  /** What was found, or what is wrong. */
  detail: string;
  /** How to fix it, when it is not ok. */
  fix?: string;
  /** Whether plash cannot run without it (otherwise plash runs with less). */
  required: boolean;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return undefined;
  }
}

function kernel(): Check {
  const [major, minor] = Deno.osRelease().split(".").map((part) => parseInt(part));
  const recent = major > 5 || (major === 5 && minor >= 11);
  // Root mounts overlay on any kernel; a user namespace needs 5.11, or fuse-overlayfs.
  const overlayWorks = recent || Deno.uid() === 0;
  const fuse = overlayWorks ? undefined : fuseOverlayPath();
  const ok = overlayWorks || fuse !== undefined;
  const why = overlayWorks
    ? ""
    : fuse
    ? `: overlay in a user namespace needs 5.11; plash mounts images with ${fuse}`
    : ": overlay in a user namespace needs 5.11, and fuse-overlayfs is not installed";
  return {
    name: "kernel",
    ok,
    detail: `Linux ${Deno.osRelease()}${why}`,
    fix: "apt-get install fuse-overlayfs, or upgrade the kernel to 5.11 or newer",
    required: true,
  };
}

function overlay(): Check {
  const listed = readOrUndefined("/proc/filesystems")?.includes("\toverlay") ?? false;
  return {
    name: "overlay",
    ok: listed,
    detail: listed ? "overlay filesystem available" : "overlay is not in /proc/filesystems",
    fix: "modprobe overlay (or build the kernel with CONFIG_OVERLAY_FS)",
    required: false,
  };
}

function libc(): Check {
  return { name: "libc", ok: true, detail: `glibc ${libcVersion()}, FFI works`, required: true };
}

function rootCapabilities(): Check[] {
  const admin = hasCapability(CAP_SYS_ADMIN);
  const chroot = hasCapability(18);
  const mknod = hasCapability(27);
  return [
    {
      name: "CAP_SYS_ADMIN",
      ok: admin,
      detail: admin
        ? "root may mount"
        : "root without CAP_SYS_ADMIN (docker's default) cannot mount",
      fix: "run the container with --privileged or --cap-add SYS_ADMIN (without it plash runs " +
        "without mounts)",
      required: false,
    },
    {
      name: "CAP_SYS_CHROOT",
      ok: chroot,
      detail: chroot ? "root may chroot" : "root without CAP_SYS_CHROOT cannot enter an image",
      fix: "give the process CAP_SYS_CHROOT",
      required: true,
    },
    ...(admin ? [] : [{
      name: "CAP_MKNOD",
      ok: mknod,
      detail: mknod
        ? "root may make the device nodes of /dev in an image's copy"
        : "root without CAP_MKNOD (podman's default): an image without its own /dev/null, " +
          "/dev/zero... runs without them",
      fix: "run the container with --cap-add MKNOD",
      required: false,
    }]),
  ];
}

function userNamespaceSettings(): Check[] {
  const checks: Check[] = [];
  const limit = readOrUndefined("/proc/sys/user/max_user_namespaces");
  checks.push({
    name: "user namespaces",
    ok: limit !== "0",
    detail: `user.max_user_namespaces = ${limit ?? "unknown"}`,
    fix: "sysctl -w user.max_user_namespaces=15000",
    required: true,
  });
  const debian = readOrUndefined("/proc/sys/kernel/unprivileged_userns_clone");
  if (debian !== undefined) {
    checks.push({
      name: "unprivileged user namespaces",
      ok: debian === "1",
      detail: `kernel.unprivileged_userns_clone = ${debian}`,
      fix: "sysctl -w kernel.unprivileged_userns_clone=1",
      required: true,
    });
  }
  const apparmor = readOrUndefined("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  if (apparmor !== undefined) {
    checks.push({
      name: "AppArmor",
      ok: apparmor === "0",
      detail: `kernel.apparmor_restrict_unprivileged_userns = ${apparmor}`,
      fix: "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile " +
        "allowing userns for plash",
      required: true,
    });
  }
  return checks;
}

function idMapping(): Check[] {
  const plan = plannedMapping(Deno.uid()!, Deno.gid()!);
  return [{
    name: "subordinate ids",
    ok: plan.ranges !== undefined,
    detail: plan.ranges
      ? `container ids 1-${plan.ranges.uids.count} map to ${plan.ranges.uids.start}+ ` +
        "(newuidmap, /etc/subuid)"
      : "only your own id is mapped: tools that switch users (apt) fail, and imported files " +
        "owned by others become yours",
    fix: "apt-get install uidmap; usermod --add-subuids 100000-165535 --add-subgids " +
      `100000-165535 ${Deno.env.get("USER") ?? "USER"}`,
    required: false,
  }];
}

function freeSpace(data: string): Check {
  // The data dir may not exist yet: its nearest existing ancestor is where it will be.
  let dir = data;
  while (dir !== "/" && !existsPath(dir)) dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
  const free = freeBytes(dir);
  const gigabytes = (free / 1e9).toFixed(1);
  return {
    name: "free space",
    ok: free > 1e9,
    detail: `${gigabytes} GB free for ${data}`,
    fix: "free space, or point PLASH_DATA elsewhere",
    required: free < 50e6,
  };
}

/**
 * Mounts a real overlay, as plash does, in a child plash (a user namespace
 * when not root): what no setting tells, e.g. a data dir on a filesystem
 * overlay cannot use as its upper layer.
 */
async function overlayProbe(data: string): Promise<Check> {
  const [program, ...args] = selfCommand(["probe-overlay"]);
  const output = await new Deno.Command(program, {
    args,
    env: { PLASH_DATA: data },
    stdout: "null",
    stderr: "piped",
  }).output();
  const why = new TextDecoder().decode(output.stderr).trim().split("\n")[0];
  return {
    name: "mounting",
    ok: output.success,
    detail: output.success
      ? `namespaces and an overlay mount in ${data} work`
      : why.replace(/^plash error: /, ""),
    fix: "see the lines above; as root without CAP_SYS_ADMIN plash runs without mounts",
    // Without mounts plash works all the same (see the mode line).
    required: mountlessReason() === undefined,
  };
}

/** The mounting check where there is no usable data directory to mount in. */
function unusableStore(store: Store): Check | undefined {
  let detail: string;
  try {
    if (store.isInitialized()) return undefined;
    detail = `no data directory at ${store.root} to try an overlay mount in`;
  } catch (error) {
    detail = reason(error);
  }
  return {
    name: "mounting",
    ok: false,
    detail,
    fix: "run `plash init` (or point PLASH_DATA at your own), then `plash doctor` again",
    required: true,
  };
}

/** The first line `runtime --version` prints, or what went wrong. */
async function versionOf(runtime: OciRuntime): Promise<string> {
  try {
    const output = await new Deno.Command(runtime.path, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(output.stdout).split("\n")[0].trim() || runtime.name;
  } catch {
    return `${runtime.name} (does not run)`;
  }
}

/** Which OCI runtime `plash runc` would use, and the ones this host's cgroups refuse. */
async function ociRuntime(): Promise<Check> {
  const found = findOciRuntimes();
  const described = await Promise.all(found.map(async (runtime) => {
    const refusal = cgroupRefusal(runtime);
    return { runtime, refusal, text: `${await versionOf(runtime)} (${runtime.path})` };
  }));
  const usable = described.find((each) => each.refusal === undefined);
  const refused = described.filter((each) => each.refusal !== undefined)
    .map((each) => `${each.text}: ${each.refusal}`);
  const chosen = Deno.env.get("PLASH_OCI_RUNTIME");
  return {
    name: "OCI runtime",
    ok: usable !== undefined,
    detail: [
      usable
        ? `plash runc uses ${usable.text}`
        : chosen
        ? `PLASH_OCI_RUNTIME=${chosen} is not usable here`
        : "no OCI runtime that works here on PATH (runc, crun): plash runc cannot run",
      ...refused,
    ].join("; "),
    fix: "apt-get install runc (or set PLASH_OCI_RUNTIME to a runtime that works here)",
    required: false,
  };
}

/** The CDI devices `--device` finds in `dirs` (default: /etc/cdi, /var/run/cdi), and broken specs. */
async function cdiDevices(dirs: string[]): Promise<Check> {
  const read = dirs.length ? dirs : DEFAULT_SPEC_DIRS;
  const check = { name: "CDI devices", required: false, fix: "correct or remove the spec file" };
  let catalog: Catalog;
  try {
    catalog = await readCatalog(read);
  } catch (error) {
    return { ...check, ok: false, detail: reason(error) };
  }
  const names = [...catalog.devices.keys()].sort();
  const found = names.length ? names.join(", ") : "none";
  return {
    ...check,
    ok: catalog.broken.length === 0 && catalog.conflicts.size === 0,
    detail: [
      `${found} (in ${read.join(", ")})`,
      ...catalog.conflicts.values(),
      ...catalog.broken.map((spec) => reason(spec.error)),
    ].join("; "),
  };
}

/** Whether plash mounts here, or runs and builds in copies of images, and what that lacks. */
function mode(): Check {
  const why = mountlessReason();
  return {
    name: "mode",
    ok: why === undefined,
    detail: why === undefined
      ? "mounts: images run on an overlay of their layers, with the host's /proc, /dev, /sys, " +
        "/tmp and /home"
      : `mount-less (${why}): images run and build in private copies of themselves; no /proc, ` +
        "/sys, host /home or /tmp, no run -v, and mount, with-mount and runc cannot work; " +
        `up to ${POOL_SIZE} copies stay in the store's tmp/, reverted, for the next runs ` +
        "(`plash clean` removes them)",
    fix: "give plash CAP_SYS_ADMIN (a container's --privileged or --cap-add SYS_ADMIN)",
    required: false,
  };
}

/**
 * Runs every check, for plash using `store` (which need not exist yet),
 * listing the CDI devices of `cdiSpecDirs` (default: the usual ones).
 */
export async function runChecks(store: Store, cdiSpecDirs: string[] = []): Promise<Check[]> {
  const data = store.root;
  const identity = Deno.uid() === 0 ? rootCapabilities() : [
    ...userNamespaceSettings(),
    ...idMapping(),
  ];
  return [
    kernel(),
    ...kernelFeatures(),
    overlay(),
    libc(),
    ...identity,
    mode(),
    freeSpace(data),
    // The probe mounts in the data directory, which only `plash init` makes.
    unusableStore(store) ?? await overlayProbe(data),
    await ociRuntime(),
    await cdiDevices(cdiSpecDirs),
  ];
}
