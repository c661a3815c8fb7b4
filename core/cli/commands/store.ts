/**
 * The commands that look after the data directory itself (`Store` in `plash
 * help`).
 *
 * @module
 */

import { MANY } from "../parse_args.ts";
import type { Command } from "./command.ts";

/** The commands of `plash help`'s "Store" group, made when first looked in (`mod.ts`). */
export function storeCommands(): Command[] {
  return [
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
      usage: "",
      arity: [0, 0],
      summary: "remove about half of the images, oldest unnamed leaves first",
      group: "Store",
      module: "shrink",
    },
    {
      name: "purge",
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
      summary:
        "make a temporary directory in the data dir, removed by `clean` after its caller ends",
      group: "Store",
      module: "mkdtemp",
    },
  ];
}
