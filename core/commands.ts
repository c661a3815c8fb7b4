/**
 * The command table: name, usage, help text and a lazy loader for each
 * command. Loading lazily keeps the start of `plash run` free of the code of
 * every other command.
 *
 * @module
 */

/** What a command module exports. */
export interface CommandModule {
  /** Runs the command with the arguments after its name; returns the exit status. */
  main(args: string[]): number | void | Promise<number | void>;
}

/** One entry of the table. */
export interface Command {
  name: string;
  /** The arguments, as shown after `plash NAME`. */
  usage: string;
  /** One line for `plash help`. */
  summary: string;
  /** More for `plash help NAME`. */
  details?: string;
  group: "Images" | "Running" | "Archives" | "Store" | "Other";
  /** Needs root: a non-root caller runs it as root of a user namespace. */
  asRoot?: true;
  load(): Promise<CommandModule>;
}

/** Every command, in the order `plash help` lists them. */
export const COMMANDS: Command[] = [
  {
    name: "run",
    asRoot: true,
    usage: "[--changes DIR] ID [CMD [ARG...]]",
    summary: "run a command in an image",
    details:
      "The command is plash's own process, chrooted into the image's layers. Without CMD it\n" +
      "runs the image's configured command, else its root user's login shell. Changes are\n" +
      "discarded, or kept in DIR/data with --changes DIR.",
    group: "Running",
    load: () => import("./cmd/run.ts"),
  },
  {
    name: "create",
    asRoot: true,
    usage: "ID CMD [ARG...]",
    summary: "run a command and keep its changes as a new image; prints the new id",
    details: "The command's stdout goes to stderr. A failing command creates nothing.",
    group: "Images",
    load: () => import("./cmd/create.ts"),
  },
  {
    name: "mount",
    usage: "ID MOUNTPOINT [CHANGESDIR]",
    summary: "mount an image on the host (read-only without CHANGESDIR)",
    details: "Changes go to CHANGESDIR/data (overlay's work dir is CHANGESDIR/work).\n" +
      "Unmount with `umount MOUNTPOINT`.",
    group: "Running",
    load: () => import("./cmd/mount.ts"),
  },
  {
    name: "with-mount",
    asRoot: true,
    usage: "ID [CMD [ARG...]]",
    summary: "run a host command with the image mounted as its working directory",
    details: "Changes are discarded. Without CMD it runs $SHELL.",
    group: "Running",
    load: () => import("./cmd/with_mount.ts"),
  },
  {
    name: "sudo",
    asRoot: true,
    usage: "[CMD [ARG...]]",
    summary: "run a command as plash's root (root itself when plash runs as root)",
    group: "Running",
    load: () => import("./cmd/sudo.ts"),
  },
  {
    name: "ls",
    usage: "[--json]",
    summary: "list images: id, parent, names, size of the layer, created",
    group: "Images",
    load: () => import("./cmd/ls.ts"),
  },
  {
    name: "rm",
    asRoot: true,
    usage: "ID...",
    summary: "remove images and every image built on them",
    group: "Images",
    load: () => import("./cmd/rm.ts"),
  },
  {
    name: "map",
    usage: "KEY [ID|'']",
    summary: "print the image named KEY, name an image KEY, or with '' remove KEY",
    group: "Images",
    load: () => import("./cmd/map.ts"),
  },
  {
    name: "nodepath",
    usage: "ID",
    summary: "print the node directory of an image (its layer is NODE/_data/root)",
    group: "Images",
    load: () => import("./cmd/nodepath.ts"),
  },
  {
    name: "parent",
    usage: "ID",
    summary: "print the parent of an image (0 is the empty root)",
    group: "Images",
    load: () => import("./cmd/parent.ts"),
  },
  {
    name: "add-layer",
    asRoot: true,
    usage: "PARENT DIR",
    summary: "make DIR a new image on PARENT; prints the new id",
    details: "DIR is moved into the store when it is on the same filesystem, copied otherwise.",
    group: "Images",
    load: () => import("./cmd/add_layer.ts"),
  },
  {
    name: "import-tar",
    asRoot: true,
    usage: "[FILE|-]",
    summary: "make an image from a tar archive (plain, gzip, zstd or xz); prints the new id",
    group: "Archives",
    load: () => import("./cmd/import_tar.ts"),
  },
  {
    name: "export-tar",
    asRoot: true,
    usage: "ID [FILE|-]",
    summary: "write an image's files as one tar archive",
    group: "Archives",
    load: () => import("./cmd/export_tar.ts"),
  },
  {
    name: "copy",
    asRoot: true,
    usage: "ID DIR",
    summary: "copy an image's files into DIR",
    group: "Archives",
    load: () => import("./cmd/copy.ts"),
  },
  {
    name: "init",
    usage: "",
    summary: "create the data directory (other commands do it when needed)",
    group: "Store",
    load: () => import("./cmd/init.ts"),
  },
  {
    name: "data",
    asRoot: true,
    usage: "[CMD [ARG...]]",
    summary: "print the data directory, or run CMD there",
    group: "Store",
    load: () => import("./cmd/data.ts"),
  },
  {
    name: "clean",
    asRoot: true,
    usage: "",
    summary: "remove leftovers of finished or interrupted plash processes",
    group: "Store",
    load: () => import("./cmd/clean.ts"),
  },
  {
    name: "shrink",
    asRoot: true,
    usage: "",
    summary: "remove about half of the images, oldest unnamed leaves first",
    group: "Store",
    load: () => import("./cmd/shrink.ts"),
  },
  {
    name: "purge",
    asRoot: true,
    usage: "[--yes]",
    summary: "delete all images and the data directory",
    group: "Store",
    load: () => import("./cmd/purge.ts"),
  },
  {
    name: "mkdtemp",
    usage: "",
    summary: "make a temporary directory in the data dir, removed by `clean` after its caller ends",
    group: "Store",
    load: () => import("./cmd/mkdtemp.ts"),
  },
  {
    name: "help",
    usage: "[CMD]",
    summary: "list the commands, or explain one",
    group: "Other",
    load: () => import("./cmd/help.ts"),
  },
  {
    name: "version",
    usage: "",
    summary: "print plash's version",
    group: "Other",
    load: () => import("./cmd/version.ts"),
  },
];

/** The command called `name`. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}

/** `plash help NAME`'s text. */
export function commandHelp(command: Command): string {
  const usage = `usage: plash ${command.name}${command.usage ? " " + command.usage : ""}`;
  return [usage, "", command.summary, ...(command.details ? ["", command.details] : [])]
    .join("\n") + "\n";
}
