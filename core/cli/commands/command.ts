/**
 * The shape of one entry of the command table (`mod.ts`): what the parser
 * (`../parse_args.ts`), `plash help`, the manual and the completion read.
 *
 * @module
 */

import type { Args, ArgsSpec } from "../parse_args.ts";

/** What a command module exports. */
export interface CommandModule {
  /** Runs the command with its parsed arguments; returns the exit status. */
  main(args: Args): number | void | Promise<number | void>;
}

/** One entry of the table. */
export interface Command extends ArgsSpec {
  /** The positional arguments, as shown after `plash NAME` and its options. */
  usage: string;
  /** One line for `plash help`. */
  summary: string;
  /** More for `plash help NAME`. */
  details?: string;
  group: "Images" | "Running" | "Build" | "Archives" | "Store" | "Other";
  /** Left out of `plash help`: plash's own plumbing. */
  hidden?: true;
  /**
   * Needs root: a non-root caller runs it as root of a user namespace.
   * Without it a command runs as its caller (`rm`, `clean`, `shrink` and
   * `purge` remove what only that root may in a child of their own,
   * `core/runtime/tree_removal.ts`).
   */
  asRoot?: true;
  /**
   * Enters the user namespace itself, only for what needs it (the
   * container): a non-root caller runs it in one Deno start, not two.
   */
  ownUserNamespace?: true;
  /**
   * Runs as its caller, and as root of a user namespace only from where it
   * finds that it needs root (`core/privilege.ts`): a cached build needs none.
   */
  rootOnDemand?: true;
  /**
   * With PLASH_NO_UNSHARE set (to anything but ""), a non-root caller runs it
   * as themselves, in no user namespace (the original plash's `sudo`).
   */
  noUnshareRunsAsCaller?: true;
  /** Its file in core/cmd/, without ".ts". */
  module: string;
}
