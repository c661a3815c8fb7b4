/**
 * The options of one run, as the runtime takes them: binds, environment,
 * working directory, user, devices. `plash run`, `bundle` and `runc` read
 * them from their command line in docker's spelling
 * (`core/cli/commands/parse_run_options.ts`).
 *
 * @module
 */

/**
 * A host path bound into the container by the caller.
 *
 * @example
 * ```ts
 * import type { Volume } from "./run_options.ts";
 *
 * const volume: Volume = { source: "/srv/data", target: "/data", readOnly: true }; // -v /srv/data:/data:ro
 * ```
 */
export interface Volume {
  /** The host path, absolute. */
  source: string;
  /** Where it is shown, an absolute path inside the image. */
  target: string;
  /** Bound read-only, with every mount below it. */
  readOnly: boolean;
}

/**
 * What a caller may change about one run.
 *
 * @example
 * ```ts
 * import type { RunOptions } from "./run_options.ts";
 *
 * // -e LANG=C.UTF-8 -w /srv -u nobody -v /srv/data:/data
 * const options: RunOptions = {
 *   env: ["LANG=C.UTF-8"],
 *   workdir: "/srv",
 *   user: "nobody",
 *   volumes: [{ source: "/srv/data", target: "/data", readOnly: false }],
 * };
 * ```
 */
export interface RunOptions {
  /** `-e` and `--env-file` entries in order: NAME=VALUE, or NAME for the host's NAME. */
  env?: string[];
  /** Binds, after the host's and the image's. */
  volumes?: Volume[];
  /** The working directory inside the image (made when missing, as docker does). */
  workdir?: string;
  /** `USER[:GROUP]` by name or number, instead of the image's own `User`. */
  user?: string;
  /** `--device`: CDI names (`vendor.com/class=dev`, `=all`) or `/dev/HOST[:/dev/CONTAINER][:rwm]`. */
  devices?: string[];
  /** `--cdi-spec-dir`: where CDI specs are read instead of /etc/cdi and /var/run/cdi. */
  cdiSpecDirs?: string[];
}
