/**
 * Writing an OCI runtime bundle of an image: `DIR/config.json` (see
 * `runtime_config.ts`) and `DIR/rootfs`, the image's overlay mounted there with
 * its writable layer in `DIR/changes/{data,work}`, or a merged copy of its
 * layers. `plash bundle` writes one where the caller says, `plash runc` a
 * throwaway one in the store's tmp, whose overlay its runtime's child mounts.
 *
 * It is the container spec of `plash run` (`container_spec.ts`: the
 * image's env and command, the run options, the host's directories, the
 * devices' edits) written for a runtime. The user is looked up in the
 * bundle's own rootfs (runtimes take numbers), found strictly inside it, or,
 * when the rootfs is not mounted yet, in the image's layers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeBundle } from "./oci_bundle.ts";
 * import { Store } from "../store/store.ts";
 * import { umount } from "../../ffi/sys.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const layer = store.makeTmpDir();
 * Deno.mkdirSync(`${layer}/bin`);
 * Deno.copyFileSync("/bin/busybox", `${layer}/bin/true`); // a static busybox is `true`
 * const id = store.addLayer(0, layer);
 * const { mounted } = await writeBundle(`${dir}/bundle`, {
 *   store,
 *   id,
 *   command: ["true"],
 *   options: {},
 *   copy: false,
 *   network: "host",
 *   mode: "root",
 * }); // then: runc run -b DIR/bundle NAME; umount DIR/bundle/rootfs
 * assert.ok(Deno.statSync(`${dir}/bundle/rootfs/bin/true`).isFile);
 * if (mounted) umount(`${dir}/bundle/rootfs`);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { fdPath, openInRoot, openPath } from "../../ffi/in_root.ts";
import { closeFd, readSmallFile, umount } from "../../ffi/sys.ts";
import type { OverlaySpec } from "../../ffi/overlay.ts";
import { PlashError, wrap } from "../errors.ts";
import type { Store } from "../store/store.ts";
import type { BindSpec } from "./binds.ts";
import type { IdMaps } from "../../ffi/namespaces.ts";
import { mappedUser } from "./become_user.ts";
import { userNamespaceIdMaps } from "./id_map.ts";
import { accountsInLayers } from "./layer_accounts.ts";
import type { ContainerEdits } from "./container_edits.ts";
import {
  type ContainerProcess,
  containerSpec,
  type HostFacts,
  thisHost,
} from "./container_spec.ts";
import { hostDeviceNode } from "./device_node.ts";
import { lookupEnv } from "./environment.ts";
import { mountImageLayers } from "./image_root.ts";
import { removeWritten } from "./remove_staged.ts";
import { type IdMapping, type OciBind, ociConfig, type OciMode } from "./runtime_config.ts";
import type { RunOptions } from "./run_options.ts";
import { ACCOUNT_FILE_LIMIT, type AccountFiles } from "./users.ts";

/** What to bundle and how. */
export interface BundleSpec {
  store: Store;
  id: number;
  /** The command; empty for the image's own, else root's login shell. */
  command: string[];
  options: RunOptions;
  /**
   * `DIR/rootfs` a merged copy of the layers (top first), made by this
   * function (`core/images/copy_image.ts`), instead of the overlay mounted
   * there.
   */
  copy: false | ((layers: string[], rootfs: string) => Promise<void>);
  network: "host" | "none";
  mode: OciMode;
  /** Devices and what comes with them (`container_edits.ts`). */
  edits?: ContainerEdits;
  /**
   * `DIR/rootfs` left unmounted: the caller mounts the overlay returned (in
   * the runtime's own mount namespace, made without root as root of plash's
   * user namespace).
   */
  unmounted?: boolean;
}

/** What {@linkcode writeBundle} made: whether it mounted `DIR/rootfs`, or what to mount there. */
export interface WrittenBundle {
  /** Whether `DIR/rootfs` is a mount, which the caller unmounts when done. */
  mounted: boolean;
  /** With `unmounted`: the overlay the caller mounts at `DIR/rootfs`. */
  overlay?: OverlaySpec;
}

const MNT_DETACH = 2;

/**
 * Writes the bundle of `spec` into `dir` (missing or empty; made when
 * missing). Whether `dir/rootfs` is a mount the caller unmounts when done.
 * A failure leaves nothing: what was mounted is unmounted, what was made
 * removed.
 */
export async function writeBundle(
  dir: string,
  spec: BundleSpec,
  host: HostFacts = thisHost(),
): Promise<WrittenBundle> {
  const image = spec.store.image(spec.id);
  const { chain, config } = image;
  // Checked before anything is made: -v sources, the image's --mount sources, the devices.
  const container = containerSpec(
    {
      store: spec.store,
      id: spec.id,
      command: spec.command,
      options: spec.options,
      imageUser: true,
      edits: spec.edits,
      image,
    },
    host,
  );
  const devices = container.devices.map(hostDeviceNode);
  const made = makeEmptyDir(dir);
  const rootfs = `${dir}/rootfs`;
  let mounted = false;
  let overlay: OverlaySpec | undefined;
  try {
    if (spec.copy) {
      await spec.copy(spec.store.layersOf(chain), rootfs);
    } else {
      const [upper, work] = [`${dir}/changes/data`, `${dir}/changes/work`];
      for (const path of [rootfs, upper, work]) Deno.mkdirSync(path, { recursive: true });
      const lowers = container.root.layers;
      overlay = { lowers, upper, work, target: rootfs, userxattr: true };
      if (!spec.unmounted) mountImageLayers(overlay);
      mounted = !spec.unmounted;
    }
    // Read only for a user to look up or root's shell: most runs name neither.
    const files = () => overlay && !mounted ? accountsInLayers(overlay.lowers) : accountsIn(rootfs);
    // Without root the bundle is written as the caller, outside the namespace whose ids it maps.
    const maps = userNamespaceIdMaps();
    const process = processOf(container.process, container.where, files, maps, config.workdir);
    const oci = ociConfig({
      ...process,
      binds: ociBinds(container.mounts),
      devices,
      ownDev: container.ownDev,
      hooks: container.hooks,
      network: spec.network,
      mode: spec.mode,
      idMaps: spec.mode === "rootless" ? ociMappings(maps) : undefined,
    });
    Deno.writeTextFileSync(`${dir}/config.json`, JSON.stringify(oci, null, 2) + "\n");
    return { mounted, overlay: mounted ? undefined : overlay };
  } catch (error) {
    if (mounted) umount(rootfs, MNT_DETACH);
    // A copy's files of subordinate ids are removed as root of the namespace.
    await removeWritten(dir, made);
    throw error instanceof PlashError ? error : wrap(error, `bundle ${dir}`);
  }
}

/** Makes `dir` unless it is there; one that is there must be an empty directory. */
function makeEmptyDir(dir: string): boolean {
  try {
    Deno.mkdirSync(dir);
    return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw wrap(error, `bundle ${dir}`);
  }
  let empty = false;
  try {
    empty = Deno.statSync(dir).isDirectory && Deno.readDirSync(dir)[Symbol.iterator]().next().done!;
  } catch (error) {
    throw wrap(error, `bundle ${dir}`);
  }
  if (!empty) throw new PlashError(`bundle ${dir}: not an empty directory`);
  return false;
}

/** The rootfs's /etc/passwd and /etc/group, found strictly inside it (its links stay in it). */
function accountsIn(rootfs: string): AccountFiles {
  const rootFd = openPath(rootfs, { directory: true });
  const read = (path: string) => {
    let fd: number;
    try {
      fd = openInRoot(rootFd, path, { symlinks: "follow" });
    } catch {
      return undefined; // no such file in the image
    }
    try {
      return readSmallFile(fdPath(fd), ACCOUNT_FILE_LIMIT);
    } finally {
      closeFd(fd);
    }
  };
  try {
    return { passwd: read("/etc/passwd"), group: read("/etc/group") };
  } finally {
    closeFd(rootFd);
  }
}

/** The OCI process of the spec's: its user resolved in the image's files, read by `files`. */
function processOf(
  process: ContainerProcess,
  where: string,
  files: () => AccountFiles,
  maps: IdMaps,
  imageWorkdir?: string,
) {
  const { user: name, keepHome } = process;
  const user = name === undefined
    ? undefined
    : mappedUser({ op: "user", user: name, keepHome, where }, files(), maps);
  const env = user === undefined || keepHome
    ? process.env
    : [...process.env.filter((entry) => !entry.startsWith("HOME=")), `HOME=${user.home}`];
  const additionalGids = [...new Set([...(user?.groups ?? []), ...process.additionalGids])];
  return {
    args: process.args.length ? process.args : [rootShell(files())],
    env: lookupEnv(env, "PATH") === undefined ? [`PATH=${process.path}`, ...env] : env,
    // -w, else the image's WorkingDir, else /: a runtime makes a missing cwd, so not the caller's.
    cwd: process.cwdRequired ? process.cwd[0] : imageWorkdir ?? "/",
    user: user
      ? { uid: user.uid, gid: user.gid, additionalGids }
      : { uid: 0, gid: 0, additionalGids },
  };
}

/** Root's login shell in the image's passwd, else /bin/sh. */
function rootShell(files: AccountFiles): string {
  const root = (files.passwd ?? "").split("\n").map((line) => line.split(":"))
    .find((fields) => fields[2] === "0" && fields[6]);
  return root?.[6] ?? "/bin/sh";
}

/**
 * `plash run`'s binds as OCI mounts: /proc is the runtime's own (it is a pid
 * namespace's), /sys read-only, a host directory this host lacks left out.
 */
function ociBinds(binds: BindSpec[]): OciBind[] {
  return binds.filter((bind) => bind.target !== "/proc").filter((bind) => {
    if (bind.owner !== "host" && bind.source !== "/etc/resolv.conf") return true;
    try {
      Deno.statSync(bind.source);
      return true;
    } catch {
      return false;
    }
  }).map(({ source, target, readOnly }) => ({
    source,
    target,
    readOnly: readOnly || target === "/sys",
  }));
}

/** This user namespace's maps as OCI mappings: its ids as the host's. */
function ociMappings(maps: IdMaps): { uids: IdMapping[]; gids: IdMapping[] } {
  const convert = (ranges: IdMaps["uids"]) =>
    ranges.map(({ inside, outside, count }) => ({
      containerID: inside,
      hostID: outside,
      size: count,
    }));
  return { uids: convert(maps.uids), gids: convert(maps.gids) };
}
