/**
 * What a container sees of the host, by kind of container: one row of a
 * table, so that a new kind (a Dockerfile's RUN step, say) is a row, not a
 * branch in the code that makes the container's spec (`container_spec.ts`).
 *
 * @module
 */

/**
 * The host's device directory, which every kind of container shows: a
 * container with devices of its own gets its own instead (`own_dev.ts`).
 */
export const DEV = "/dev";

/**
 * The kinds of container plash makes.
 *
 * @example
 * ```ts
 * import type { HostViewName } from "./host_view.ts";
 *
 * const view: HostViewName = "build-step"; // the host's /home read-only, the image's /tmp
 * ```
 */
export type HostViewName = "run" | "build-step" | "dockerfile-step";

/** One row: the host's directories shared, and what else of the host the container gets. */
export interface HostView {
  /** Host directories bound at the same place, in order. */
  dirs: string[];
  /** Those of `dirs` bound read-only. */
  readOnly: string[];
  /** The host's /etc/resolv.conf at the image's (a build needs the network as much as a run). */
  resolvConf: boolean;
  /** The image's own `--mount`s (a Dockerfile's RUN sees only its RUN --mounts). */
  imageMounts: boolean;
  /** The caller's working directory, read-only, where the image lacks it (a Plashfile's files). */
  callerDir: boolean;
  /** The image as it is at `/.plash-image`, for the macros that write files (`image_view.ts`). */
  imageView: boolean;
  /**
   * The host variables passed through (TERM, DISPLAY, HOME, PLASH_DATA and
   * the image's imported ones); false: the image's environment only, exactly.
   */
  hostEnv: boolean;
  /** Starts in the caller's directory when the image has it (else the image's, else /). */
  callerCwd: boolean;
}

/**
 * The table. A run shares the most; a plash build step sees /home read-only
 * and its own /tmp and /root, so it writes into its image only; a
 * Dockerfile step sees nothing of the host but what a process needs (/proc,
 * /dev, /sys, resolv.conf), as docker's build does.
 */
export const HOST_VIEWS: Record<HostViewName, HostView> = {
  run: {
    dirs: ["/proc", "/dev", "/sys", "/tmp", "/home", "/root"],
    readOnly: [],
    resolvConf: true,
    imageMounts: true,
    callerDir: false,
    imageView: false,
    hostEnv: true,
    callerCwd: true,
  },
  "build-step": {
    dirs: ["/proc", "/dev", "/sys", "/home"],
    readOnly: ["/home"],
    resolvConf: true,
    imageMounts: true,
    callerDir: true,
    imageView: true,
    hostEnv: true,
    callerCwd: true,
  },
  "dockerfile-step": {
    dirs: ["/proc", "/dev", "/sys"],
    readOnly: [],
    resolvConf: true,
    imageMounts: false,
    callerDir: false,
    imageView: false,
    hostEnv: false,
    callerCwd: false,
  },
};
