/**
 * The commands that build images: from macros, from a Dockerfile, from a
 * Plashfile (`Build` in `plash help`).
 *
 * @module
 */

import { MANY } from "../parse_args.ts";
import type { Command } from "./command.ts";

/** The commands of `plash help`'s "Build" group, made when first looked in (`mod.ts`). */
export function buildCommands(): Command[] {
  return [
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
      rootOnDemand: true,
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
      details:
        "FILE defaults to CONTEXT/Containerfile, then CONTEXT/Dockerfile; CONTEXT to `.`.\n" +
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
  ];
}
