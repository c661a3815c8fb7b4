/**
 * The command table: name, arguments, options, help text and module of each
 * command. The parser (`parse_args.ts`), `plash help` and `plash CMD --help`
 * read it. Loading modules lazily keeps the start of `plash run` free of the
 * code of every other command.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { twoColumns } from "./output.ts";
import { type Args, type ArgsSpec, type OptionSpec, usageLine } from "./parse_args.ts";

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
  /** Needs root: a non-root caller runs it as root of a user namespace. */
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

const MANY = Infinity;

/**
 * The options of one run, spelled as `docker run` spells them: `run`,
 * `bundle` and `runc` take them (see `core/runtime/run_options.ts`).
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

/** The options of every command that writes an image out. */
const EXPORT_OPTIONS = [
  { name: "compress", value: "C", help: "compress layers with gzip, zstd or none" },
  { name: "base", value: "ID", help: "only the layers above image ID" },
  { name: "arch", value: "ARCH", help: "the architecture the image says (default: this host's)" },
  { name: "variant", value: "V", help: "its variant, as v7 for arm" },
];

/** Every command, in the order `plash help` lists them. */
export const COMMANDS: Command[] = [
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
    name: "create",
    asRoot: true,
    usage: "ID [CMD [ARG...]]",
    arity: [1, MANY],
    optionsFirst: true,
    summary: "run a command and keep its changes as a new image; prints the new id",
    details: "The command's stdout goes to stderr. A failing command creates nothing.\n" +
      "Without CMD, the image's /bin/sh runs the script it reads from stdin:\n" +
      "echo 'touch /file' | plash create ID",
    group: "Images",
    module: "create",
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
    name: "build",
    asRoot: true,
    rootOnDemand: true,
    usage: "MACRO [ARG...]...",
    arity: [1, MANY],
    raw: true,
    summary: "build an image from macros (see help-macros); prints its id",
    details: "Each layer runs under the image's /bin/sh with `set -ex`, tracing `--> CMD` on\n" +
      "stderr, and is cached: an unchanged rebuild runs nothing. A new layer starts only at\n" +
      "--layer. Example: plash build -f 5 --apt jq --layer --run 'jq --version'\n" +
      "-q or --quiet as the first word: no traces of the steps, no progress display.",
    group: "Build",
    module: "build",
  },
  {
    name: "bud",
    asRoot: true,
    usage: "[CONTEXT]",
    arity: [0, 1],
    options: [
      { name: "file", short: "f", value: "FILE", help: "the Dockerfile (- for stdin)" },
      { name: "tag", short: "t", value: "NAME", multiple: true, help: "name the image NAME" },
      {
        name: "build-arg",
        value: "NAME[=VALUE]",
        multiple: true,
        help: "set an ARG (without a value: the host's)",
      },
      { name: "target", value: "STAGE", help: "build up to STAGE, the last one by default" },
      { name: "no-cache", help: "build every step again" },
      {
        name: "cache-from",
        value: "REG/REPO",
        multiple: true,
        help: "take cached layers from a registry",
      },
      {
        name: "cache-to",
        value: "REG/REPO",
        multiple: true,
        help: "put the build's layers in a registry",
      },
      { name: "label", value: "KEY=VALUE", multiple: true, help: "add a label to the image" },
      {
        name: "secret",
        value: "id=ID,src=PATH",
        multiple: true,
        help: "a file RUN --mount=type=secret,id=ID reads",
      },
      { name: "ignorefile", value: "FILE", help: "the ignore file instead of .dockerignore" },
      { name: "quiet", short: "q", help: "no step traces" },
    ],
    summary: "build a Dockerfile (as podman build); prints the image id",
    details: "FILE defaults to CONTEXT/Containerfile, then CONTEXT/Dockerfile; CONTEXT to `.`.\n" +
      "Each RUN, COPY and ADD is one cached layer; the other instructions make the image's\n" +
      "config. FROM takes a plash image, else pulls the reference. Steps trace as\n" +
      "`STEP 3/9: RUN make` on stderr. RUN sees the image, its --mounts and the host's\n" +
      "network, not the host's /home, /tmp or working directory.",
    group: "Build",
    module: "bud",
  },
  {
    name: "eval",
    asRoot: true,
    rootOnDemand: true,
    usage: "MACRO [ARG...]...",
    arity: [1, MANY],
    raw: true,
    summary: "print the build script that macros make, with its hints",
    group: "Build",
    module: "eval",
  },
  {
    name: "b",
    asRoot: true,
    rootOnDemand: true,
    usage: "CMD [ARG...] MACRO... [-- ARG...]",
    arity: [2, MANY],
    raw: true,
    summary: "build, then run `plash CMD ID ARG...` on the image",
    details: "`plash MACRO... -- CMD [ARG...]` is `plash b run MACRO... -- CMD [ARG...]`.\n" +
      "CMD's options may lead the words after --: `plash -A -- -e A=1 -v /srv:/srv env`.",
    group: "Build",
    module: "b",
  },
  {
    name: "exec",
    asRoot: true,
    rootOnDemand: true,
    usage: "[RUN OPTION...] PLASHFILE [ARG...]",
    arity: [1, MANY],
    raw: true,
    summary: "build a Plashfile in its directory, then run its entrypoint with ARGs",
    details:
      "A Plashfile is an executable file starting with `#!/usr/bin/env plash` and holding\n" +
      "macros, one a line: lines starting with - are split into words, other lines are one\n" +
      "argument each, `--#` lines are comments, `--\\ TEXT` is TEXT even with a leading dash.\n" +
      "Running it runs `plash PATH ARGS`, which is this command (`#!/usr/bin/env plash-exec`,\n" +
      "the original plash's, runs it too). It must have an --entrypoint, which runs with\n" +
      "the ARGs in the caller's directory; its build runs in the Plashfile's directory.\n" +
      "`run`'s options (-e, -v, -w, -u ...) may come before PLASHFILE.",
    group: "Build",
    module: "exec",
  },
  {
    name: "help-macros",
    usage: "",
    arity: [0, 0],
    summary: "list the macros of the build language",
    group: "Build",
    module: "help_macros",
  },
  {
    name: "ls",
    usage: "",
    arity: [0, 0],
    options: [
      { name: "json", help: "print a JSON array of every image with every key" },
      { name: "all", short: "a", help: "every image, and every map key (plash's own too)" },
    ],
    summary: "list images: id, parent, size, total size, created, names",
    details:
      "Without --all: the images that have a name or reference, and those no image is built\n" +
      "on; the names and references of each (plash's cache and source keys are left out).\n" +
      "SIZE is the image's own layer, TOTAL the layers of the image and its parents. On a\n" +
      "terminal CREATED is relative (3 hours ago). --json lists every image, as --all does.",
    group: "Images",
    module: "ls",
  },
  {
    name: "inspect",
    usage: "ID|NAME...",
    arity: [1, MANY],
    options: [{ name: "json", help: "print a JSON array, one object an image" }],
    summary: "show an image: parents, names, sizes, created, config, where it came from",
    group: "Images",
    module: "inspect",
  },
  {
    name: "tag",
    usage: "ID|NAME NAME...",
    arity: [2, MANY],
    summary: "name an image (as plash map NAME ID); the name works wherever an id does",
    details: "A name is any text but a number, one starting with -, or white space. An image\n" +
      "may have many names; giving a name again moves it.",
    group: "Images",
    module: "tag",
  },
  {
    name: "untag",
    usage: "NAME...",
    arity: [1, MANY],
    summary: "remove names or pulled references from their images (the images stay)",
    group: "Images",
    module: "untag",
  },
  {
    name: "rm",
    asRoot: true,
    usage: "ID...",
    arity: [1, MANY],
    summary: "remove images and every image built on them",
    group: "Images",
    module: "rm",
  },
  {
    name: "map",
    usage: "KEY [ID|'']",
    arity: [1, 2],
    summary: "print the image named KEY, name an image KEY, or with '' remove KEY",
    group: "Images",
    module: "map",
  },
  {
    name: "nodepath",
    usage: "ID",
    arity: [1, 2],
    // Read as the original plash read it: `nodepath -1` and `nodepath --` are
    // bad image args, not options.
    raw: true,
    options: [{ name: "allow-root-container", help: "allow the empty root image 0" }],
    summary: "print the node directory of an image (its layer is NODE/_data/root)",
    group: "Images",
    module: "nodepath",
  },
  {
    name: "parent",
    usage: "ID",
    arity: [1, 1],
    summary: "print the parent of an image (0 is the empty root)",
    group: "Images",
    module: "parent",
  },
  {
    name: "add-layer",
    asRoot: true,
    usage: "PARENT DIR",
    arity: [2, 2],
    summary: "make DIR a new image on PARENT; prints the new id",
    details: "DIR is moved into the store when it is on the same filesystem, copied otherwise.",
    group: "Images",
    module: "add_layer",
  },
  {
    name: "import-tar",
    asRoot: true,
    usage: "[FILE|-]",
    arity: [0, 1],
    summary: "make an image from a tar archive (plain, gzip, zstd or xz); prints the new id",
    group: "Archives",
    module: "import_tar",
  },
  {
    name: "import-url",
    asRoot: true,
    usage: "URL",
    arity: [1, 1],
    options: [
      { name: "quiet", short: "q", help: "no progress display" },
    ],
    summary: "make an image from a tar archive at an http, https or file URL; prints the new id",
    details: "Plain, gzip, zstd or xz, told by content. The image becomes what --from-url URL\n" +
      "builds on. Redirects are followed (at most 10); a progress display runs on a terminal.",
    group: "Archives",
    module: "import_url",
  },
  {
    name: "import-lxc",
    asRoot: true,
    usage: "DIST[:RELEASE[:VARIANT]]",
    arity: [1, 1],
    options: [
      { name: "dry", help: "print the archive's URL instead of importing it" },
      { name: "quiet", short: "q", help: "no progress display" },
    ],
    summary:
      "import the newest build of a distribution image of linuxcontainers.org; prints its id",
    details:
      "For this host's architecture ($PLASH_LXC_ARCH to choose another), the default variant\n" +
      "unless named, from $PLASH_LXC_SERVER (default https://images.linuxcontainers.org).\n" +
      "A bare DIST means its only release, or `current`. The image becomes what --from NAME\n" +
      "and --from-lxc NAME build on (they fetch nothing once it is there). --dry prints the\n" +
      "archive's URL instead. Example: plash import-lxc debian:trixie",
    group: "Images",
    module: "import_lxc",
  },
  {
    name: "import-docker",
    asRoot: true,
    usage: "REF",
    arity: [1, 1],
    options: [
      { name: "arch", value: "ARCH", help: "the architecture to pull (default: this host's)" },
      { name: "variant", value: "V", help: "its variant, as v7 for arm" },
      { name: "insecure", help: "allow plain HTTP to a registry not on this machine" },
      { name: "quiet", short: "q", help: "no progress display" },
    ],
    summary: "pull an image from a docker/OCI registry; prints its id",
    details:
      "REF as docker names images: alpine (docker.io/library/alpine:latest), HOST[:PORT]/NAME:TAG,\n" +
      "NAME@sha256:DIGEST. Each layer becomes an image on the one below (stored once, shared\n" +
      "between images); the top image holds the config (Env, Entrypoint, Cmd, WorkingDir).\n" +
      "A multi-platform image gives this host's architecture unless --arch/--variant say\n" +
      "otherwise. Credentials come from `plash login`, podman's and docker's files and their\n" +
      "credential helpers. A short name (alpine) is looked for in registries.conf's search\n" +
      "registries (docker.io unless it says otherwise); its mirrors, insecure and blocked\n" +
      "registries apply. Plain HTTP only to this machine's addresses, with --insecure or\n" +
      "where registries.conf says insecure. The image becomes what --from-docker REF builds on.",
    group: "Images",
    module: "import_docker",
  },
  {
    name: "import-oci",
    asRoot: true,
    usage: "PATH",
    arity: [1, 1],
    options: [
      { name: "ref", value: "NAME", help: "the image whose ref name annotation is NAME" },
      { name: "arch", value: "ARCH", help: "the architecture to import (default: this host's)" },
      { name: "variant", value: "V", help: "its variant, as v7 for arm" },
      { name: "quiet", short: "q", help: "no progress display" },
    ],
    summary:
      "import an image from an OCI image layout (a directory or a tar of one); prints its id",
    details: "With several images in the layout, --ref picks the one whose\n" +
      "org.opencontainers.image.ref.name annotation is NAME.",
    group: "Images",
    module: "import_oci",
  },
  {
    name: "import-docker-archive",
    asRoot: true,
    usage: "FILE|-",
    arity: [1, 1],
    options: [
      { name: "ref", value: "NAME", help: "the image tagged NAME" },
      { name: "quiet", short: "q", help: "no progress display" },
    ],
    summary: "import an image from `docker save` output; prints its id",
    details: "With several images in the archive, --ref picks the one tagged NAME. The image's\n" +
      "tags become what --from-docker TAG builds on.",
    group: "Images",
    module: "import_docker_archive",
  },
  {
    name: "login",
    usage: "HOST",
    arity: [1, 1],
    options: [
      { name: "username", value: "USER", help: "the user name (asked for when not given)" },
      { name: "password-stdin", help: "read the password from stdin" },
      { name: "insecure", help: "allow plain HTTP to a registry not on this machine" },
    ],
    summary: "check and store credentials for a registry",
    details: "Asks for what is not given (the password without echo). Stored as docker does, in\n" +
      "$REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json, else ~/.docker/config.json (0600),\n" +
      "or through the credential helper that file names (credHelpers, credsStore). Pulls read\n" +
      "podman's files too: $XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json.",
    group: "Images",
    module: "login",
  },
  {
    name: "logout",
    usage: "HOST",
    arity: [1, 1],
    summary: "remove the stored credentials for a registry",
    group: "Images",
    module: "logout",
  },
  {
    name: "export-tar",
    asRoot: true,
    rootOnDemand: true,
    usage: "ID [FILE|-]",
    arity: [1, 2],
    summary: "write an image's files as one tar archive",
    group: "Archives",
    module: "export_tar",
  },
  {
    name: "copy",
    asRoot: true,
    usage: "ID DIR",
    arity: [2, 2],
    summary: "copy an image's files into DIR",
    group: "Archives",
    module: "copy",
  },
  {
    name: "init",
    usage: "",
    arity: [0, 0],
    summary: "create the data directory: run this first (no other command creates it)",
    group: "Store",
    module: "init",
  },
  {
    name: "data",
    asRoot: true,
    ownUserNamespace: true,
    usage: "[CMD [ARG...]]",
    arity: [0, MANY],
    optionsFirst: true,
    summary: "print the data directory, or run CMD there",
    group: "Store",
    module: "data",
  },
  {
    name: "clean",
    asRoot: true,
    usage: "",
    arity: [0, 0],
    options: [
      { name: "clean-index", help: "only index links to removed images" },
      { name: "clean-cache-keys", help: "only map entries of removed images" },
      {
        name: "clean-tmp",
        help: "only temporary directories of ended plash processes and unheld lock files",
      },
      { name: "quiet", help: "say nothing" },
    ],
    summary: "remove leftovers of finished or interrupted plash processes",
    details: "Without a --clean-* option it removes all three kinds. In tmp/ it removes only\n" +
      "plash's own plashtmp_* directories whose process has ended, and plashlock_* files\n" +
      "no process holds.",
    group: "Store",
    module: "clean",
  },
  {
    name: "shrink",
    asRoot: true,
    usage: "",
    arity: [0, 0],
    summary: "remove about half of the images, oldest unnamed leaves first",
    group: "Store",
    module: "shrink",
  },
  {
    name: "purge",
    asRoot: true,
    usage: "",
    arity: [0, 0],
    options: [{ name: "yes", help: "delete without asking" }],
    summary: "delete all images and what plash keeps in the data directory",
    details: "Without --yes it asks, reading the answer from stdin (echo y | plash purge).\n" +
      "The data directory itself stays (it may be a mount point); `plash init` makes a new\n" +
      "store in it.",
    group: "Store",
    module: "purge",
  },
  {
    name: "mkdtemp",
    usage: "",
    arity: [0, 0],
    summary: "make a temporary directory in the data dir, removed by `clean` after its caller ends",
    group: "Store",
    module: "mkdtemp",
  },
  {
    name: "doctor",
    usage: "",
    arity: [0, 0],
    options: [
      { name: "json", help: "print a JSON array of the checks" },
      {
        name: "cdi-spec-dir",
        value: "DIR",
        multiple: true,
        help: "list the CDI devices of DIR instead of /etc/cdi and /var/run/cdi",
      },
    ],
    summary: "check what plash needs from this host and say how to fix what is missing",
    group: "Other",
    module: "doctor",
  },
  {
    name: "completion",
    usage: "bash|zsh|fish",
    arity: [1, 1],
    summary: "print a shell completion script: source <(plash completion bash)",
    details: "Commands, their options and macros complete, and image ids, names and references\n" +
      "from the store. bash: source <(plash completion bash) in ~/.bashrc; zsh: source\n" +
      "<(plash completion zsh) after compinit; fish: plash completion fish | source.",
    group: "Other",
    module: "completion",
  },
  {
    name: "complete-images",
    hidden: true,
    usage: "",
    arity: [0, 0],
    summary: "print the image ids, names and references, a line each (used by completion)",
    group: "Other",
    module: "complete_images",
  },
  {
    name: "probe-overlay",
    asRoot: true,
    hidden: true,
    usage: "",
    arity: [0, 0],
    summary: "mount a test overlay in the data dir (used by doctor)",
    group: "Other",
    module: "probe_overlay",
  },
  {
    name: "help",
    usage: "[CMD]",
    arity: [0, 1],
    summary: "list the commands, or explain one (as plash CMD --help does)",
    group: "Other",
    module: "help",
  },
  {
    name: "version",
    usage: "",
    arity: [0, 0],
    options: [{ name: "json", help: "print a JSON object: plash's, Deno's, os, arch" }],
    summary: "print plash's version",
    group: "Other",
    module: "version",
  },
  {
    name: "bundle",
    asRoot: true,
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
  {
    name: "export-oci",
    asRoot: true,
    rootOnDemand: true,
    usage: "ID PATH",
    arity: [2, 2],
    options: [
      {
        name: "ref",
        value: "NAME",
        help: "name the image NAME in the layout (ref name annotation)",
      },
      ...EXPORT_OPTIONS,
    ],
    summary:
      "write an image as an OCI image layout (a tar when PATH ends in .tar); prints its digest",
    details:
      "Each plash layer becomes one OCI layer (whiteouts as .wh. entries; owners, modes, links,\n" +
      "xattrs and mtimes kept), the same bytes every time. Into an existing layout the image is\n" +
      "added, replacing the one of the same --ref. Read it with skopeo copy oci:PATH:NAME, umoci\n" +
      "or plash import-oci.",
    group: "Archives",
    module: "export_oci",
  },
  {
    name: "export-docker-archive",
    asRoot: true,
    rootOnDemand: true,
    usage: "ID FILE|-",
    arity: [2, 2],
    options: [
      { name: "ref", value: "NAME:TAG", help: "tag the image NAME:TAG (:latest when no tag)" },
      ...EXPORT_OPTIONS,
    ],
    summary: "write an image as `docker save` does, for docker load and podman load",
    details: "Layers are plain tars unless --compress says otherwise.",
    group: "Archives",
    module: "export_docker_archive",
  },
  {
    name: "push",
    asRoot: true,
    rootOnDemand: true,
    usage: "ID REF",
    arity: [2, 2],
    options: [
      { name: "insecure", help: "allow plain HTTP to a registry not on this machine" },
      { name: "quiet", short: "q", help: "no progress display" },
      ...EXPORT_OPTIONS,
    ],
    summary: "upload an image to a docker/OCI registry; prints its manifest digest",
    details:
      "REF as import-docker takes it (HOST[:PORT]/NAME:TAG). Blobs the registry has are not\n" +
      "sent (HEAD), blobs another repository of it has are mounted, the rest go up three at a\n" +
      "time, in chunks of $PLASH_PUSH_CHUNK bytes (8 MiB) when larger; the manifest last.\n" +
      "Credentials come from `plash login`. An image pulled from the registry and pushed back\n" +
      "unchanged keeps its digest.",
    group: "Images",
    module: "push",
  },
];

/**
 * Loads a command's module, out of the module graph Deno walks at start-up
 * (`deno compile` is told to include core/ instead).
 */
export function loadCommand(command: Command): Promise<CommandModule> {
  return lazyImport<CommandModule>(`core/cmd/${command.module}.ts`);
}

/** The command called `name`. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}

/**
 * The error for a command plash does not have, worded as the original plash
 * worded it (scripts match "no such command").
 *
 * @example
 * ```ts
 * import { noSuchCommand } from "./commands.ts";
 *
 * noSuchCommand("frobnicate").message; // "no such command: frobnicate (try `plash help`)"
 * ```
 */
export function noSuchCommand(name: string): PlashError {
  return new PlashError(`no such command: ${name} (try \`plash help\`)`);
}

/** `plash help NAME`'s text: usage, summary, options, details. */
export function commandHelp(command: Command): string {
  const lines = [usageLine(command), "", command.summary];
  if (command.options?.length) {
    const names = command.options.map((option) =>
      `${option.short ? `-${option.short}, ` : ""}--${option.name}${
        option.value ? ` ${option.value}` : ""
      }`
    );
    lines.push("", "Options:");
    lines.push(...twoColumns(command.options.map((option, i) => [names[i], option.help]), "  "));
  }
  if (command.details) lines.push("", command.details);
  return lines.join("\n") + "\n";
}
