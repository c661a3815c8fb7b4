/**
 * A container as data, shaped like the OCI runtime config: the process
 * (args, env, cwd, user, groups), the root and its layers, the mounts, the
 * device nodes and the hooks. {@linkcode containerSpec} makes it from the
 * image, its config, the run's options and the host; `container_ops.ts`
 * turns it into the executor's operations for each way plash runs a
 * container, and `oci_bundle.ts` writes it as a bundle's `config.json`. An
 * edit of the container (a device, a mount, an env var, a hook) is made to
 * the spec once ({@linkcode applyEdits}) and every back end honours it.
 *
 * Everything that can be known before anything is mounted is decided here:
 * which host directories are shared and how, which of the image's `--mount`
 * sources exist, the environment, the command, where it starts. What depends
 * on the mounted image (whether a mount point exists, where a symlink leads)
 * is found by the executor, inside the image root only.
 *
 * @example
 * ```ts
 * import { applyEdits, containerSpec } from "./container_spec.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * const spec = applyEdits(containerSpec({ store, id, command: ["ls"] }), {
 *   env: ["GPU=1"],
 *   deviceNodes: [{ path: "/dev/null" }],
 *   mounts: [],
 *   hooks: [],
 *   additionalGids: [],
 * });
 * console.log(spec.process.env, spec.devices);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 *
 * @module
 */

import { PlashError, reason } from "../errors.ts";
import { mountedLayers } from "../store/checkpoint.ts";
import type { ImageConfig } from "../store/image_config.ts";
import type { Store, StoredImage } from "../store/store.ts";
import type { BindSpec } from "./binds.ts";
import type { ContainerEdits, DeviceNode, Hook } from "./container_edits.ts";
import {
  containerEnvironment,
  DEFAULT_PATH,
  lookupEnv,
  processEnvironment,
  withRunEnv,
} from "./environment.ts";
import { DEV, HOST_VIEWS, type HostViewName } from "./host_view.ts";
import { IMAGE_VIEW } from "./image_view.ts";
import type { RunOptions, Volume } from "./run_options.ts";

/** Where sysfs is. */
const SYS = "/sys";

/**
 * How to run a container.
 *
 * @example
 * ```ts
 * import type { RunSpec } from "./container_spec.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * // `plash run -w /srv -e A=1 ID ls`, as the image's user
 * const run: RunSpec = {
 *   store,
 *   id: store.addLayer(0, store.makeTmpDir()),
 *   command: ["ls"],
 *   options: { workdir: "/srv", env: ["A=1"] },
 *   imageUser: true,
 * };
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export interface RunSpec {
  /** The store holding the image. */
  store: Store;
  /** The image to run. */
  id: number;
  /** The command; empty for the image's configured command or login shell. */
  command: string[];
  /** Keep the changes in this directory instead of discarding them. */
  changesDir?: string;
  /**
   * A build step: the host's /home and the working directory read-only, the
   * image's own /root and /tmp, and the image view (see `image_view.ts`), so
   * that it writes into its image only. The same as `hostView: "build-step"`.
   */
  buildStep?: boolean;
  /** What the container sees of the host (`host_view.ts`); by default a run's. */
  hostView?: HostViewName;
  /**
   * A Dockerfile's RUN (`plash bud`): the `dockerfile-step` view, and
   * exactly `env` as its environment (the stage's ENV over the build args in
   * scope, PATH and HOME), nothing of the host's or the image's config.
   */
  dockerfileStep?: { env: string[]; network?: Network };
  /** The caller's options: `-e`, `-v`, `-w`, `-u` (see `run_options.ts`). */
  options?: RunOptions;
  /**
   * Run as the image's `User` unless `options.user` says otherwise: runs do;
   * `create` and build steps make images, as root.
   */
  imageUser?: boolean;
  /** Devices and what comes with them (`container_edits.ts`), laid over the rest. */
  edits?: ContainerEdits;
  /** Image `id` as the caller looked it up already (`Store.image`); else it is looked up. */
  image?: StoredImage;
}

/** What the host adds to a spec; by default this process's ({@linkcode thisHost}). */
export interface HostFacts {
  /** The caller's working directory. */
  cwd: string;
  /** The caller's environment. */
  env: Record<string, string>;
}

/** This process's {@linkcode HostFacts}: its environment read only where a spec asks. */
export function thisHost(): HostFacts {
  return { cwd: Deno.cwd(), env: processEnvironment() };
}

/** The command and how it starts. */
export interface ContainerProcess {
  /** The command; empty: the login shell of the image's root user. */
  args: string[];
  /** `NAME=VALUE`. */
  env: string[];
  /** Where the command is looked for: the container's PATH. */
  path: string;
  /** Where it starts: the first of these the image has. */
  cwd: string[];
  /** Whether a missing `cwd[0]` fails the run (`-w`) instead of trying the next. */
  cwdRequired: boolean;
  /** `USER[:GROUP]` looked up in the image; none: root. */
  user?: string;
  /** Keep HOME as the environment has it instead of the user's home. */
  keepHome: boolean;
  /** Groups the process also gets. */
  additionalGids: number[];
}

/** The image's layers and the writable layer over them. */
export interface ContainerRoot {
  /** The image, named in the error of a kernel that cannot stack all its layers. */
  image: number;
  /**
   * Lower directories, the top (newest) first: the image's layers, or those
   * above its nearest checkpoint and the checkpoint (`core/store/checkpoint.ts`).
   */
  layers: string[];
  /** The same directories by their relative names in plash's nested nodes (see `ffi/overlay.ts`). */
  nested?: { top: string; layer: string; bottom?: string };
  /** The directory holding the writable layer (`data`, `work`) and the mount point (`root`). */
  changes: string;
  /** The writable layer is a tmpfs on `changes`, gone with the mount namespace. */
  discard: boolean;
}

/**
 * The network a container has: the host's (plash shares it), or `none`, a
 * network namespace of its own with only loopback (`RUN --network=none`).
 *
 * @example
 * ```ts
 * import type { Network } from "./container_spec.ts";
 *
 * const network: Network = "none"; // `RUN --network=none`: loopback only
 * ```
 */
export type Network = "host" | "none";

/** A container of plash, as data. */
export interface ContainerSpec {
  /** Names the container in errors: `image N`. */
  where: string;
  /** The command and how it starts. */
  process: ContainerProcess;
  /** The image's layers and the writable layer. */
  root: ContainerRoot;
  /** Host paths shown in the container, in order (the host's, the image's, the caller's, edits'). */
  mounts: BindSpec[];
  /**
   * A sysfs of the container's own network namespace at this path, instead
   * of the host's /sys bound there (`network: "none"`).
   */
  sysfs?: string;
  /** The image as it is, without the mounts, at this path (a build step's image view). */
  imageView?: string;
  /** Directories made in the image when missing (`-w`). */
  makeDirs: string[];
  /** Device nodes. */
  devices: DeviceNode[];
  /**
   * /dev is the container's own (`own_dev.ts`) instead of the host's bound:
   * a device goes into it, never into the host's /dev.
   */
  ownDev: boolean;
  /** Hooks, in the order they run within their point. */
  hooks: Hook[];
  /** The host's network, or one of its own with only loopback. */
  network: Network;
}

/** The spec of `run`'s container on this host (`host`, by default this process's). */
export function containerSpec(
  run: RunSpec,
  host: HostFacts = thisHost(),
): ContainerSpec {
  const { chain, config } = run.image ?? run.store.image(run.id);
  const view = HOST_VIEWS[hostViewOf(run)];
  const options = run.options ?? {};
  const changes = run.changesDir ?? run.store.mountRoot;
  const network = run.dockerfileStep?.network ?? "host";
  // The host's /sys shows the host's interfaces: a network of its own gets a sysfs of its own.
  const sysfs = network === "none" && view.dirs.includes(SYS) ? SYS : undefined;
  const spec: ContainerSpec = {
    where: `image ${run.id}`,
    process: containerProcess(run, config, host),
    root: {
      image: run.id,
      ...mountedLayers(run.store, chain),
      changes,
      discard: run.changesDir === undefined,
    },
    mounts: [
      ...view.dirs.filter((dir) => dir !== sysfs).map((dir): BindSpec => ({
        source: dir,
        target: dir,
        directory: true,
        owner: "host",
        required: false,
        readOnly: view.readOnly.includes(dir),
      })),
      ...(view.resolvConf
        ? [{
          source: "/etc/resolv.conf",
          target: "/etc/resolv.conf",
          directory: false,
          owner: "image" as const,
        }]
        : []),
      ...(view.imageMounts ? imageMountBinds(config) : []),
      ...(view.callerDir ? callerDirBind(host.cwd) : []),
      ...volumeBinds(options.volumes ?? []),
    ],
    sysfs,
    imageView: view.imageView ? IMAGE_VIEW : undefined,
    makeDirs: options.workdir === undefined ? [] : [options.workdir],
    devices: [],
    ownDev: false,
    hooks: [],
    network,
  };
  return run.edits ? applyEdits(spec, run.edits) : spec;
}

function hostViewOf(run: RunSpec): HostViewName {
  return run.hostView ??
    (run.dockerfileStep ? "dockerfile-step" : run.buildStep ? "build-step" : "run");
}

/**
 * The process of a container: the command (given, else the image's), the
 * environment (the image's, the host's passed through, the run's `-e`),
 * where it starts (`-w`, else the caller's directory when the image has it,
 * else the image's, else /), its user (`-u`, else the image's for a run).
 */
export function containerProcess(
  run: RunSpec,
  config: ImageConfig,
  host: HostFacts,
): ContainerProcess {
  const options = run.options ?? {};
  const view = HOST_VIEWS[hostViewOf(run)];
  const base = view.hostEnv
    ? containerEnvironment(config, host.env)
    : Object.entries({ PATH: DEFAULT_PATH, ...config.env }).map(([name, value]) =>
      `${name}=${value}`
    );
  const env = run.dockerfileStep?.env ?? withRunEnv(base, options.env ?? [], host.env);
  const user = options.user ?? (run.imageUser ? config.user : undefined);
  const imageCwd = config.workdir ?? "/";
  return {
    args: run.command.length ? run.command : configuredCommand(config),
    env,
    path: lookupEnv(env, "PATH") ?? DEFAULT_PATH,
    // The image's own command starts where the image says (its WorkingDir, as docker's run);
    // a command of the caller's starts in the caller's directory when the image has it.
    cwd: options.workdir !== undefined
      ? [options.workdir]
      : view.callerCwd && !(run.command.length === 0 && config.workdir !== undefined)
      ? [host.cwd, imageCwd, "/"]
      : [imageCwd, "/"],
    cwdRequired: options.workdir !== undefined,
    user: user === undefined || user === "" ? undefined : user,
    // The image's HOME or the caller's -e HOME stays; the host's is root's, not the user's.
    keepHome: config.env?.HOME !== undefined ||
      (options.env ?? []).some((entry) => entry === "HOME" || entry.startsWith("HOME=")),
    additionalGids: [],
  };
}

/**
 * `spec` with `edits` laid over it: their env over the process's (a name
 * set twice takes the edit's value), their device nodes, mounts (binds,
 * after all others, read-only with `ro`), hooks and groups added. Only bind
 * mounts are taken: plash mounts no file system of a device's own.
 *
 * @example
 * ```ts
 * import { applyEdits, containerSpec } from "./container_spec.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const spec = containerSpec({ store, id: store.addLayer(0, store.makeTmpDir()), command: ["ls"] });
 * const lib = Deno.makeTempDirSync(); // a host directory the device brings
 * applyEdits(spec, {
 *   env: ["A=1"],
 *   deviceNodes: [],
 *   mounts: [{ hostPath: lib, containerPath: "/usr/lib/x", options: ["ro"] }],
 *   hooks: [],
 *   additionalGids: [44],
 * });
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(lib);
 * ```
 */
export function applyEdits(spec: ContainerSpec, edits: ContainerEdits): ContainerSpec {
  const env = withRunEnv(spec.process.env, edits.env, {});
  // A device in the host's /dev, bound, would be made on the host: /dev becomes the container's.
  const hostDev = (bind: BindSpec) => bind.owner === "host" && bind.target === DEV;
  const ownDev = spec.ownDev ||
    (edits.deviceNodes.some((node) => node.path.startsWith(`${DEV}/`)) &&
      spec.mounts.some(hostDev));
  return {
    ...spec,
    process: {
      ...spec.process,
      env,
      path: lookupEnv(env, "PATH") ?? DEFAULT_PATH,
      additionalGids: [...new Set([...spec.process.additionalGids, ...edits.additionalGids])],
    },
    mounts: [
      ...spec.mounts.filter((bind) => !ownDev || !hostDev(bind)),
      ...edits.mounts.map(editBind),
    ],
    devices: [...spec.devices, ...edits.deviceNodes],
    ownDev,
    hooks: [...spec.hooks, ...edits.hooks],
  };
}

/** A device's mount as a bind of plash's: its host path must exist, its target is placed strictly. */
function editBind(
  { hostPath, containerPath, type, options = [] }: ContainerEdits["mounts"][number],
): BindSpec {
  if (type !== undefined && type !== "bind" && type !== "none") {
    throw new PlashError(`device mount ${containerPath}: type ${type}: only binds are supported`);
  }
  let directory: boolean;
  try {
    directory = Deno.statSync(hostPath).isDirectory;
  } catch (error) {
    throw new PlashError(`device mount source ${hostPath}: ${reason(error)}`, { cause: error });
  }
  return {
    source: hostPath,
    target: containerPath,
    directory,
    owner: "caller",
    required: true,
    readOnly: options.includes("ro"),
  };
}

/** The command an image runs when none is given; empty: its root user's login shell. */
export function configuredCommand(config: ImageConfig): string[] {
  return [...(config.entrypoint ?? []), ...(config.cmd ?? [])];
}

/** The image's own `--mount`s: each source must exist on the host. */
function imageMountBinds(config: ImageConfig): BindSpec[] {
  return (config.mounts ?? []).map(({ source, target }): BindSpec => {
    let directory: boolean;
    try {
      directory = Deno.statSync(source).isDirectory;
    } catch {
      throw new PlashError(`mount source is missing on the host: ${source}`);
    }
    return { source, target, directory, owner: "image", required: true };
  });
}

/** The caller's `-v` binds: each source must exist on the host, each target is placed strictly. */
function volumeBinds(volumes: Volume[]): BindSpec[] {
  return volumes.map(({ source, target, readOnly }): BindSpec => {
    let directory: boolean;
    try {
      directory = Deno.statSync(source).isDirectory;
    } catch (error) {
      const why = error instanceof Deno.errors.NotFound ? "is missing on the host" : reason(error);
      throw new PlashError(`-v source ${source} ${why}`, { cause: error });
    }
    return { source, target, directory, owner: "caller", required: true, readOnly };
  });
}

/**
 * A build step's working directory (a Plashfile's), read-only, where the
 * image has no such directory and /home does not already show it: a build
 * may read the files beside its Plashfile.
 */
function callerDirBind(cwd: string): BindSpec[] {
  if (cwd === "/" || cwd === "/home" || cwd.startsWith("/home/")) return [];
  return [{
    source: cwd,
    target: cwd,
    directory: true,
    owner: "host",
    readOnly: true,
    onlyWhereMissing: true,
  }];
}
