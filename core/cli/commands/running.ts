/**
 * The commands that run something in an image or on it (`Running` in
 * `plash help`), and the options of one run that `run`, `bundle` and `runc`
 * share, parsed beside them (`parse_run_options.ts`).
 *
 * @module
 */

import { MANY, type OptionSpec } from "../parse_args.ts";
import type { Command } from "./command.ts";

/**
 * The options of one run, spelled as `docker run` spells them: `run`,
 * `bundle` and `runc` take them, parsed by `parse_run_options.ts`.
 */
export const RUN_OPTIONS: OptionSpec[] = [
  {
    name: "env",
    short: "e",
    value: "NAME[=VALUE]",
    multiple: true,
    help: "set NAME in the container, or without a value pass the host's NAME",
  },
  {
    name: "env-file",
    value: "FILE",
    multiple: true,
    help: "read NAME=VALUE (or NAME) lines from FILE, as docker does",
  },
  {
    name: "volume",
    short: "v",
    value: "SRC:DST[:ro]",
    multiple: true,
    help: "bind host path SRC at DST in the image (read-only with :ro)",
  },
  {
    name: "mount",
    value: "SPEC",
    multiple: true,
    help: "the same in docker's spelling: type=bind,source=SRC,target=DST[,readonly]",
  },
  { name: "workdir", short: "w", value: "DIR", help: "start in DIR (made when missing)" },
  {
    name: "user",
    short: "u",
    value: "USER[:GROUP]",
    help: "run as USER (name or number, from the image's /etc/passwd) instead of its User",
  },
  {
    name: "device",
    value: "NAME",
    multiple: true,
    help: "add a CDI device (vendor.com/class=name or =all) or /dev/HOST[:/dev/CONTAINER][:rwm]",
  },
  {
    name: "cdi-spec-dir",
    value: "DIR",
    multiple: true,
    help: "read CDI specs from DIR instead of /etc/cdi and /var/run/cdi (later DIRs win)",
  },
];

/** The commands of `plash help`'s "Running" group, made when first looked in (`mod.ts`). */
export function runningCommands(): Command[] {
  return [
    {
      name: "run",
      asRoot: true,
      ownUserNamespace: true,
      usage: "ID [CMD [ARG...]]",
      arity: [1, MANY],
      optionsFirst: true,
      options: [
        {
          name: "changes",
          value: "DIR",
          help: "keep the changes in DIR/data instead of discarding them",
        },
        {
          name: "build-step",
          help: "share the host as a build step does: /home read-only, not /root or /tmp",
        },
        ...RUN_OPTIONS,
      ],
      summary: "run a command in an image",
      details:
        "The command is plash's own process, chrooted into the image's layers. Without CMD it\n" +
        "runs the image's configured command, else its root user's login shell. Changes are\n" +
        "discarded unless --changes keeps them. It runs as the image's User (OCI config, or the\n" +
        "--user macro) unless -u says otherwise; -u 0 runs as root. Exit status: the command's,\n" +
        "127 when it is not in the image, 126 when it cannot be executed.",
      group: "Running",
      module: "run",
    },
    {
      name: "mount",
      usage: "ID MOUNTPOINT [CHANGESDIR]",
      arity: [2, 3],
      summary: "mount an image on the host (read-only without CHANGESDIR)",
      details: "Changes go to CHANGESDIR/data (overlay's work dir is CHANGESDIR/work).\n" +
        "Unmount with `umount MOUNTPOINT`.",
      group: "Running",
      module: "mount",
    },
    {
      name: "with-mount",
      asRoot: true,
      ownUserNamespace: true,
      usage: "ID [CMD [ARG...]]",
      arity: [1, MANY],
      optionsFirst: true,
      summary: "run a host command with the image mounted as its working directory",
      details: "Changes are discarded. Without CMD it runs $SHELL.",
      group: "Running",
      module: "with_mount",
    },
    {
      name: "sudo",
      asRoot: true,
      ownUserNamespace: true,
      noUnshareRunsAsCaller: true,
      usage: "[CMD [ARG...]]",
      arity: [0, MANY],
      optionsFirst: true,
      summary: "run a command as plash's root (root itself when plash runs as root)",
      details: "It runs in a mount namespace of its own: what it mounts vanishes with it.\n" +
        "PLASH_NO_UNSHARE=1 runs it with no new namespace (without root: as yourself).",
      group: "Running",
      module: "sudo",
    },
    {
      name: "bundle",
      asRoot: true,
      rootOnDemand: true,
      usage: "ID DIR [CMD [ARG...]]",
      arity: [2, MANY],
      optionsFirst: true,
      options: [
        { name: "copy", help: "DIR/rootfs a merged copy of the layers, not the mounted overlay" },
        { name: "net", value: "host|none", help: "the host's network (default) or none" },
        ...RUN_OPTIONS,
      ],
      summary: "write an OCI runtime bundle of an image: DIR/config.json and DIR/rootfs",
      details:
        "For `runc run -b DIR NAME` and other OCI runtimes (runtime spec 1.0). The process is\n" +
        "what `plash run` would start, with its binds; namespaces mount, pid, ipc, uts (and\n" +
        "network with --net none). As root DIR/rootfs is the image's overlay mounted there\n" +
        "(its changes in DIR/changes): `umount DIR/rootfs` before removing DIR. Without root\n" +
        "only --copy works, and the config maps plash's ids for a rootless runtime; files of\n" +
        "your subordinate ids in the copy are removed with `plash sudo rm -rf DIR`.",
      group: "Running",
      module: "bundle",
    },
    {
      name: "runc",
      asRoot: true,
      ownUserNamespace: true,
      usage: "ID [CMD [ARG...]]",
      arity: [1, MANY],
      optionsFirst: true,
      options: [
        { name: "net", value: "host|none", help: "the host's network (default) or none" },
        ...RUN_OPTIONS,
      ],
      summary: "run a command in an image with an OCI runtime (runc, crun), isolated",
      details:
        "The runtime is $PLASH_OCI_RUNTIME, else runc or crun from PATH (`plash doctor` tells\n" +
        "which works here), run on a throwaway bundle in the store's tmp (see `plash help\n" +
        "bundle`): its own pid, ipc and uts namespaces, docker's default capabilities, the\n" +
        "host's directories bound as `plash run` binds them. Exit status and signals are the\n" +
        "container's.",
      group: "Running",
      module: "runc",
    },
  ];
}
