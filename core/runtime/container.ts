/**
 * `plash run` as root: this very process becomes the container. It moves into
 * a mount namespace of its own, mounts the image, binds the host's shared
 * directories, chroots and execs the command, keeping plash's PID, so exit
 * status, signals and the terminal are the command's own.
 *
 * @module
 */

import { openPath } from "../../ffi/in_root.ts";
import { chdir, chroot, closeFd } from "../../ffi/sys.ts";
import { type ImageConfig, readConfig } from "../store/image_config.ts";
import type { Store } from "../store/store.ts";
import {
  applyBinds,
  type Bind,
  hostDirBinds,
  imageMountBinds,
  imageViewBind,
  resolvConfBind,
  workdirBind,
} from "./binds.ts";
import { containerEnvironment, DEFAULT_PATH, lookupEnv } from "./environment.ts";
import { execCommand } from "./exec.ts";
import { mountImagePrivately } from "./image_root.ts";
import { IMAGE_VIEW } from "./image_view.ts";
import { rootLoginShell } from "./login_shell.ts";

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
}

/** Replaces this process with the container's command; returns only by throwing. */
export function runContainer(spec: RunSpec): never {
  const chain = spec.store.chain(spec.id);
  const config = readConfig(spec.store.nodeOf(chain));
  const cwd = Deno.cwd();
  const env = containerEnvironment(config);
  const changes = mountImagePrivately(spec.store, chain, spec.changesDir);
  // The binds are made before the chroot, every target found inside the image root.
  const rootFd = openPath(changes.root, { directory: true });
  const created: string[] = [];
  try {
    const binds: Bind[] = [
      ...hostDirBinds(spec.buildStep ? "build" : "run"),
      ...resolvConfBind(),
      ...imageMountBinds(config.mounts ?? []),
      ...(spec.buildStep ? [...workdirBind(cwd), imageViewBind(rootFd, IMAGE_VIEW)] : []),
    ];
    applyBinds(rootFd, binds, created);
  } finally {
    closeFd(rootFd);
  }
  // Mount points made in the changes layer are listed for `create`, which
  // takes them out again: they belong to the run, not to the new image.
  if (spec.changesDir !== undefined) {
    Deno.writeTextFileSync(`${spec.changesDir}/mountpoints`, created.join("\n"));
  }
  chroot(changes.root);
  startCommand(spec, config, env, cwd);
}

/**
 * Execs the command of `spec` in the root this thread is in, from the
 * caller's directory `cwd` when the image has it.
 */
export function startCommand(
  spec: RunSpec,
  config: ImageConfig,
  env: string[],
  cwd: string,
): never {
  enterWorkingDirectory(cwd, config.workdir);
  const argv = spec.command.length ? spec.command : configuredCommand(config);
  execCommand(argv, env, lookupEnv(env, "PATH") ?? DEFAULT_PATH, `image ${spec.id}`);
}

/** The caller's directory when the image has it, else the image's workdir, else /. */
function enterWorkingDirectory(cwd: string, workdir = "/"): void {
  for (const dir of [cwd, workdir, "/"]) {
    try {
      chdir(dir);
      return;
    } catch {
      // Not in this image: try the next.
    }
  }
}

function configuredCommand(config: { entrypoint?: string[]; cmd?: string[] }): string[] {
  const argv = [...(config.entrypoint ?? []), ...(config.cmd ?? [])];
  return argv.length ? argv : [rootLoginShell()];
}
