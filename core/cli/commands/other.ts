/**
 * The commands about plash itself: its host checks, help, version and shell
 * completion, and its hidden plumbing (`Other` in `plash help`).
 *
 * @module
 */

import type { Command } from "./command.ts";

/** The commands of `plash help`'s "Other" group, made when first looked in (`mod.ts`). */
export function otherCommands(): Command[] {
  return [
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
      details:
        "Commands, their options and macros complete, and image ids, names and references\n" +
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
  ];
}
