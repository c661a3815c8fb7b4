/**
 * A container's set-up as data: the list of named operations that turn an
 * image into a running command (a new mount namespace, the writable layer,
 * the overlay, each bind, the chroot, the working directory, the exec), made
 * by {@linkcode planContainer} from the image, the run's options and the
 * host, and carried out by one small loop (`execute.ts`): in plash's own
 * process as root, in a child made by clone(2) without root.
 *
 * Everything that can be known before anything is mounted is decided here:
 * which host directories are shared and how, which of the image's `--mount`
 * sources exist, the environment, the command, where it starts. What depends
 * on the mounted image (whether a mount point exists, where a symlink leads)
 * is found by the executor, inside the image root only.
 *
 * @example
 * ```ts
 * import { planContainer } from "./plan.ts";
 * import { Store } from "../store/store.ts";
 *
 * const plan = planContainer({ store: Store.open(), id: 1, command: ["ls"] });
 * console.log(plan.ops.map((op) => op.op)); // ["unshare-mounts", "tmpfs", ..., "exec"]
 * ```
 *
 * @module
 */

import type { OverlaySpec } from "../../ffi/overlay.ts";
import { PlashError, reason } from "../errors.ts";
import { type ImageConfig, readConfig } from "../store/image_config.ts";
import type { Store } from "../store/store.ts";
import type { BindSpec } from "./binds.ts";
import { containerEnvironment, DEFAULT_PATH, lookupEnv, withRunEnv } from "./environment.ts";
import { IMAGE_VIEW } from "./image_view.ts";
import type { RunOptions, Volume } from "./run_options.ts";

/** How to run a container. */
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
   * that it writes into its image only.
   */
  buildStep?: boolean;
  /**
   * A Dockerfile's RUN (`plash bud`): it sees what docker's build steps see,
   * the image, the host's /proc, /dev, /sys and resolv.conf, and its
   * `options.volumes` (RUN --mount), none of the host's /home, /tmp or working
   * directory, nor the image's `--mount`s; its environment is `env`, exactly.
   */
  dockerfileStep?: { env: string[] };
  /** The caller's options: `-e`, `-v`, `-w`, `-u` (see `run_options.ts`). */
  options?: RunOptions;
  /**
   * Run as the image's `User` unless `options.user` says otherwise: runs do;
   * `create` and build steps make images, as root.
   */
  imageUser?: boolean;
}

/** One operation of a container's set-up, named as the executor runs it. */
export type SetupOp =
  /** A mount namespace of this thread's own, whose mounts reach nobody else. */
  | { op: "unshare-mounts" }
  /** A tmpfs for the writable layer, gone with the namespace. */
  | { op: "tmpfs"; target: string }
  /** Directories made on the host side (the writable layer's). */
  | { op: "mkdirs"; paths: string[] }
  /** The image's layers and the writable layer, mounted at `overlay.target`. */
  | { op: "overlay"; overlay: OverlaySpec }
  /** A host path bound into the image root (the root is the overlay's target). */
  | { op: "bind"; bind: BindSpec }
  /** The image root bound onto `target` inside itself, without the binds over it. */
  | { op: "image-view"; target: string }
  /** A directory made inside the image root when missing (`-w`), as a bind's target is. */
  | { op: "make-dir"; target: string }
  /** Into the image root. */
  | { op: "chroot"; root: string }
  /** The first of `candidates` the image has; with `required`, failing to enter it fails. */
  | { op: "chdir"; candidates: string[]; required?: boolean }
  /**
   * Become `user` (`USER[:GROUP]`, looked up in the image's /etc/passwd and
   * /etc/group once in its root), with HOME from passwd unless `keepHome`.
   */
  | { op: "user"; user: string; keepHome: boolean; where: string }
  /**
   * The command, found on `path` inside the image, with `env`; `argv` empty
   * means the login shell of the image's root user.
   */
  | { op: "exec"; argv: string[]; env: string[]; path: string; where: string };

/** A container's set-up, in order. */
export interface ContainerPlan {
  ops: SetupOp[];
}

/**
 * The host directories a run shares, those a build step sees (read-only /home
 * only), and those a Dockerfile's RUN sees (as docker's, none of the user's).
 */
const HOST_DIRS = {
  run: ["/proc", "/dev", "/sys", "/tmp", "/home", "/root"],
  build: ["/proc", "/dev", "/sys", "/home"],
  dockerfile: ["/proc", "/dev", "/sys"],
} as const;

/** What the host adds to a plan; by default this process's. */
export interface HostFacts {
  /** The caller's working directory. */
  cwd: string;
  /** The caller's environment. */
  env: Record<string, string>;
}

/** The set-up of `spec`'s container on this host (`host`, by default this process's). */
export function planContainer(
  spec: RunSpec,
  host: HostFacts = { cwd: Deno.cwd(), env: Deno.env.toObject() },
): ContainerPlan {
  const chain = spec.store.chain(spec.id);
  const config = readConfig(spec.store.nodeOf(chain));
  const base = spec.changesDir ?? spec.store.mountRoot;
  const [upper, work, root] = ["data", "work", "root"].map((name) => `${base}/${name}`);
  const binds = containerBinds(spec, config, host);
  const workdir = spec.options?.workdir;
  return {
    ops: [
      { op: "unshare-mounts" },
      ...(spec.changesDir === undefined ? [{ op: "tmpfs" as const, target: base }] : []),
      { op: "mkdirs", paths: [upper, work, root] },
      {
        op: "overlay",
        overlay: {
          lowers: spec.store.layersOf(chain),
          // A private mount: the kernel may be handed the layers by relative names.
          nested: spec.store.nestedLayers(chain),
          upper,
          work,
          target: root,
          userxattr: true,
        },
      },
      ...binds.map((bind) => ({ op: "bind" as const, bind })),
      ...(spec.buildStep ? [{ op: "image-view" as const, target: IMAGE_VIEW }] : []),
      ...(workdir === undefined ? [] : [{ op: "make-dir" as const, target: workdir }]),
      { op: "chroot", root },
      ...commandOps(spec, config, host),
    ],
  };
}

/**
 * What a container of `spec` shares with the host, in order: the host's
 * directories, its resolv.conf, the image's `--mount`s, a build step's
 * working directory, the caller's `-v`s. `plash bundle` binds the same.
 */
export function containerBinds(spec: RunSpec, config: ImageConfig, host: HostFacts): BindSpec[] {
  const mode = spec.dockerfileStep ? "dockerfile" : spec.buildStep ? "build" : "run";
  return [
    ...HOST_DIRS[mode].map((dir): BindSpec => ({
      source: dir,
      target: dir,
      directory: true,
      owner: "host",
      required: false,
      readOnly: mode === "build" && dir === "/home",
    })),
    { source: "/etc/resolv.conf", target: "/etc/resolv.conf", directory: false, owner: "image" },
    ...(spec.dockerfileStep ? [] : imageMountBinds(config)),
    ...(mode === "build" ? workdirBind(host.cwd) : []),
    ...volumeBinds(spec.options?.volumes ?? []),
  ];
}

/**
 * The last steps of any run, once in the image's root: the working
 * directory (`-w`, else the caller's when the image has it, else the
 * image's, else /), the user (`-u`, else the image's for a run), then the
 * command with the container's environment.
 */
export function commandOps(spec: RunSpec, config: ImageConfig, host: HostFacts): SetupOp[] {
  const options = spec.options ?? {};
  const env = spec.dockerfileStep?.env ??
    withRunEnv(containerEnvironment(config, host.env), options.env ?? [], host.env);
  const user = options.user ?? (spec.imageUser ? config.user : undefined);
  const where = `image ${spec.id}`;
  return [
    options.workdir === undefined
      ? { op: "chdir", candidates: [host.cwd, config.workdir ?? "/", "/"] }
      : { op: "chdir", candidates: [options.workdir], required: true },
    ...(user === undefined || user === "" ? [] : [{
      op: "user" as const,
      user,
      // The image's HOME or the caller's -e HOME stays; the host's is root's, not the user's.
      keepHome: config.env?.HOME !== undefined ||
        (options.env ?? []).some((entry) => entry === "HOME" || entry.startsWith("HOME=")),
      where,
    }]),
    {
      op: "exec",
      argv: spec.command.length ? spec.command : configuredCommand(config),
      env,
      path: lookupEnv(env, "PATH") ?? DEFAULT_PATH,
      where,
    },
  ];
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
function workdirBind(cwd: string): BindSpec[] {
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
