/**
 * The macros of the build language: name, arguments, help line and what each
 * expands to. `plash help-macros` prints this table.
 *
 * @module
 */

import { PlashError, wrap } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { IMAGE_VIEW } from "../runtime/image_view.ts";
import type { ImageConfig } from "../store/image_config.ts";
import { shellQuote, singleQuote } from "./shell_quote.ts";
import { DEFAULT_SOURCE, SOURCES } from "./sources.ts";
import type { EvalContext, Step } from "./steps.ts";
import { plashfileLines, tokenize } from "./tokenize.ts";

/** The sections of `plash help-macros`, in its order. */
export const MACRO_GROUPS = [
  "Base image",
  "Build steps",
  "Packages",
  "Files",
  "Image config",
  "Cache",
  "Macros from elsewhere",
  "Shortcuts",
  "Other",
] as const;

/** One macro. */
export interface Macro {
  /** Its names, the long one first: `["--run", "-x"]`. */
  names: string[];
  /** Its arguments as help shows them. */
  usage: string;
  /** One line for `plash help-macros`. */
  summary: string;
  /** Its section of `plash help-macros`. */
  group: typeof MACRO_GROUPS[number];
  /** How many arguments it takes at least. */
  min: number;
  /** How many arguments it takes at most. */
  max: number;
  /** The steps a call with `args` stands for. */
  expand(args: string[], ctx: EvalContext): Step[] | Promise<Step[]>;
}

const MANY = Infinity;
/** The largest macro file `--eval-url` reads: a Plashfile is a few lines. */
const MACROS_LIMIT = 1 << 20;

/**
 * Package managers: each line's `{}` becomes the packages, each in single
 * quotes: the original plash's lines exactly (a non-interactive apt comes from
 * the build step's environment, see `buildHostEnvironment`).
 */
const PACKAGE_MANAGERS: Record<string, string[]> = {
  apt: ["apt-get update", "apt-get install -y {}"],
  apk: ["apk update", "apk add {}"],
  dnf: ["dnf install -y {}"],
  yum: ["yum install -y {}"],
  pacman: ["pacman -Sy --noconfirm {}"],
  emerge: ["emerge {}"],
  pip: ["pip install {}"],
  pip3: ["pip3 install {}"],
  npm: ["npm install -g {}"],
};

/**
 * The distribution shortcuts: a pinned current release from the default
 * source, then that distribution's package manager with the arguments.
 * Names as images.linuxcontainers.org lists them (checked 2026-11 against
 * lxc-ci's image jobs); Gentoo has no `default` variant there. `plash
 * help-macros` and the README list them: keep those in step.
 */
export const DISTRIBUTIONS: { letter: string; image: string; packages: string }[] = [
  { letter: "A", image: "alpine:3.24", packages: "apk" },
  { letter: "U", image: "ubuntu:resolute", packages: "apt" },
  { letter: "F", image: "fedora:44", packages: "dnf" },
  { letter: "D", image: "debian:trixie", packages: "apt" },
  { letter: "C", image: "centos:10-Stream", packages: "yum" },
  { letter: "R", image: "archlinux:current", packages: "pacman" },
  { letter: "G", image: "gentoo:current:openrc", packages: "emerge" },
];

function script(...lines: string[]): Step[] {
  return [{ kind: "script", text: lines.join("\n") }];
}

function hint(name: string, value: unknown, config?: ImageConfig): Step {
  return { kind: "hint", name, value, config };
}

async function base(source: string, ref: string, ctx: EvalContext): Promise<Step[]> {
  const { hostPath, resolve } = SOURCES[source];
  return [{ kind: "base", id: await resolve(ctx.store(), hostPath ? inDir(ctx.dir, ref) : ref) }];
}

/**
 * `path` in the image: an absolute path is reached through the image view,
 * so that it names the image's file even where a build step sees a host
 * directory (/home).
 */
function inImage(path: string): string {
  return shellQuote(path.startsWith("/") ? `${IMAGE_VIEW}${path}` : path);
}

/** Shell lines that write `lines` to `path` in the image, replacing what was there. */
function writeFile(path: string, lines: string[]): string {
  const target = inImage(path);
  if (lines.length === 0) return `: > ${target}`;
  // printf, not echo: dash's echo would expand backslashes in the lines.
  return `printf '%s\\n' ${lines.map(shellQuote).join(" ")} > ${target}`;
}

function entrypoint(argv: string[]): Step {
  // A new entrypoint drops the base's default arguments, as in a Dockerfile.
  return hint("entrypoint", argv, { entrypoint: argv, cmd: [] });
}

function absolute(path: string, what: string): string {
  if (!path.startsWith("/")) {
    throw new PlashError(`${what} must be an absolute path: ${path}`);
  }
  return path;
}

function envName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new PlashError(`not a variable name: ${JSON.stringify(name)}`);
  }
  return name;
}

async function evalText(text: string, ctx: EvalContext): Promise<Step[]> {
  return await ctx.evaluate(tokenize(plashfileLines(text)));
}

/** Evaluates the macros downloaded from `url`. */
async function evalUrl(url: string, ctx: EvalContext): Promise<Step[]> {
  // Loaded only here: the download code stays off the start path.
  const [{ openUrl }, { readLimited }] = await Promise.all([
    lazyImport("openUrl"),
    lazyImport("http"),
  ]);
  const { body } = await openUrl(url);
  const bytes = await readLimited(body, MACROS_LIMIT, url);
  return await evalText(new TextDecoder().decode(bytes), ctx);
}

/**
 * Where `--eval-github USER/REPO[/FILE] [FILE]` reads: FILE (default
 * `plashfile`) of the repository's master branch on GitHub's raw host, as
 * the original plash read it; `$PLASH_GITHUB_RAW` names another host (tests).
 */
function githubRawUrl(repo: string, file?: string): string {
  const [user, name, ...path] = repo.split("/");
  if (!user || !name) {
    throw new PlashError(`user-repo-pair must include a slash (got ${repo})`);
  }
  if (file !== undefined && path.length) {
    throw new PlashError(`give FILE once: in ${repo} or after it, not both`);
  }
  const host = (Deno.env.get("PLASH_GITHUB_RAW") || "https://raw.githubusercontent.com")
    .replace(/\/+$/, "");
  return `${host}/${user}/${name}/master/${file ?? (path.join("/") || "plashfile")}`;
}

const BASE_MACROS: Macro[] = [
  {
    names: ["--from", "-f"],
    usage: "IMAGE",
    summary: `start from an image id, else from an image of the ${DEFAULT_SOURCE} source`,
    group: "Base image",
    min: 1,
    max: 1,
    expand: ([ref], ctx) => base(/^\d+$/.test(ref) ? "id" : DEFAULT_SOURCE, ref, ctx),
  },
  ...Object.entries(SOURCES).map(([name, source]): Macro => ({
    names: [`--from-${name}`],
    usage: source.arg,
    summary: source.summary,
    group: "Base image",
    min: 1,
    max: 1,
    expand: ([ref], ctx) => base(name, ref, ctx),
  })),
];

const STEP_MACROS: Macro[] = [
  {
    names: ["--run", "-x"],
    usage: "CMD...",
    summary: "run shell commands, one argument a line",
    group: "Build steps",
    min: 1,
    max: MANY,
    expand: (lines) => script(...lines),
  },
  {
    names: ["--run-stdin"],
    usage: "",
    summary: "run the shell script read from stdin",
    group: "Build steps",
    min: 0,
    max: 0,
    expand: async (_, ctx) => script((await ctx.stdin()).replace(/\n$/, "")),
  },
  {
    names: ["--layer", "-l"],
    usage: "",
    summary: "start a new layer: what follows is built and cached apart",
    group: "Build steps",
    min: 0,
    max: 0,
    expand: () => [{ kind: "layer" }],
  },
  {
    names: ["--import-env"],
    usage: "VAR[:AS]...",
    summary: "export the host's VAR (as AS) in this layer's script; its value keys the cache",
    group: "Build steps",
    min: 1,
    max: MANY,
    expand: (args) =>
      args.flatMap((arg) => {
        const colon = arg.indexOf(":");
        const name = colon === -1 ? arg : arg.slice(0, colon);
        const as = colon === -1 ? arg : arg.slice(colon + 1);
        const value = Deno.env.get(envName(name));
        return value === undefined ? [] : script(`export ${envName(as)}=${shellQuote(value)}`);
      }),
  },
];

const PACKAGE_MACROS: Macro[] = Object.entries(PACKAGE_MANAGERS).map(([name, lines]) => ({
  names: [`--${name}`],
  usage: "PACKAGE...",
  summary: `install packages with ${name}`,
  group: "Packages",
  min: 0,
  max: MANY,
  expand: (packages) => {
    if (packages.length === 0) return [];
    const list = packages.map(singleQuote).join(" ");
    return script(...lines.map((line) => line.replace("{}", list)));
  },
}));

const FILE_MACROS: Macro[] = [
  {
    names: ["--write-file"],
    usage: "PATH [LINE...]",
    summary: "write the lines to a file in the image",
    group: "Files",
    min: 1,
    max: MANY,
    expand: ([path, ...lines]) => script(writeFile(path, lines)),
  },
  {
    names: ["--write-script"],
    usage: "PATH [LINE...]",
    summary: "write the lines to an executable file (mode 755) in the image",
    group: "Files",
    min: 1,
    max: MANY,
    expand: ([path, ...lines]) => script(writeFile(path, lines), `chmod 755 ${inImage(path)}`),
  },
];

const CONFIG_MACROS: Macro[] = [
  {
    names: ["--env"],
    usage: "NAME[=VALUE]...",
    summary: "every run gets NAME=VALUE, or without a value the host's NAME",
    group: "Image config",
    min: 1,
    max: MANY,
    expand: (args) =>
      args.map((arg) => {
        const equals = arg.indexOf("=");
        if (equals === -1) return hint("pass-env", arg, { importEnv: [envName(arg)] });
        const env = { [envName(arg.slice(0, equals))]: arg.slice(equals + 1) };
        return hint("env", env, { env });
      }),
  },
  {
    names: ["--env-prefix"],
    usage: "PREFIX...",
    summary: "every run gets the host's variables whose names start with PREFIX",
    group: "Image config",
    min: 1,
    max: MANY,
    expand: (prefixes) =>
      prefixes.map((prefix) => hint("env-prefix", prefix, { importEnvPrefixes: [prefix] })),
  },
  {
    names: ["--mount"],
    usage: "SRC[:DST]...",
    summary: "every run binds host path SRC at DST (default: the same path)",
    group: "Image config",
    min: 1,
    max: MANY,
    expand: (args) =>
      args.map((arg) => {
        const colon = arg.indexOf(":");
        const source = absolute(colon === -1 ? arg : arg.slice(0, colon), "mount source");
        const target = absolute(colon === -1 ? arg : arg.slice(colon + 1), "mount target");
        const mount = { source, target };
        return hint("mount", mount, { mounts: [mount] });
      }),
  },
  {
    names: ["--device"],
    usage: "NAME...",
    summary: "every run gets device NAME (a CDI name or /dev/HOST), as with run --device",
    group: "Image config",
    min: 1,
    max: MANY,
    expand: async (names) => {
      // Loaded only here: a build that names no device does not load it at start.
      const { parseDeviceRequest } = await lazyImport("cdiRequest");
      // Only read here: the specs and host nodes are those of the host of each run.
      names.forEach(parseDeviceRequest);
      return names.map((name) => hint("device", name, { devices: [name] }));
    },
  },
  {
    names: ["--user"],
    usage: "USER[:GROUP]",
    summary: "runs start as USER (name or number, from the image's /etc/passwd); -u 0 overrides",
    group: "Image config",
    min: 1,
    max: 1,
    expand: ([user]) => {
      if (!/^[^:\s]+(:[^:\s]+)?$/.test(user)) {
        throw new PlashError(`--user must be USER[:GROUP], got: ${user}`);
      }
      return [hint("user", user, { user })];
    },
  },
  {
    names: ["--entrypoint"],
    usage: "PROGRAM [ARG...]",
    summary: "what `plash run ID` with no command runs; a Plashfile runs it with its ARGs",
    group: "Image config",
    min: 1,
    max: MANY,
    expand: (argv) => [entrypoint(argv)],
  },
  {
    names: ["--entrypoint-script"],
    usage: "LINE...",
    summary: "write the lines to /entrypoint (#!/bin/sh unless they start with #!), use it",
    group: "Image config",
    min: 1,
    max: MANY,
    expand: (lines) => {
      const text = lines[0].startsWith("#!") ? lines : ["#!/bin/sh", ...lines];
      return [
        ...script(writeFile("/entrypoint", text), `chmod 755 ${inImage("/entrypoint")}`),
        entrypoint(["/entrypoint"]),
      ];
    },
  },
];

const CACHE_MACROS: Macro[] = [
  {
    names: ["--hash-path"],
    usage: "PATH...",
    summary: "rebuild this layer when any name, mode or content under PATH changes",
    group: "Cache",
    min: 1,
    max: MANY,
    expand: async (paths, ctx) => {
      const { hashPath } = await lazyImport("hashPath");
      return await Promise.all(
        // The path as written keys the layer: a context moved elsewhere keeps its cache.
        paths.map(async (path) => hint("hash-path", [path, await hashPath(inDir(ctx.dir, path))])),
      );
    },
  },
  {
    names: ["--cache-from"],
    usage: "REG/REPO",
    summary: "look layers up in a registry repository by cache key before building them",
    group: "Cache",
    min: 1,
    max: 1,
    expand: ([repository]) => [{ kind: "cache", direction: "from", repository }],
  },
  {
    names: ["--cache-to"],
    usage: "REG/REPO",
    summary: "put every layer of the build in a registry repository, by cache key",
    group: "Cache",
    min: 1,
    max: 1,
    expand: ([repository]) => [{ kind: "cache", direction: "to", repository }],
  },
  {
    names: ["--invalidate-layer"],
    usage: "",
    summary: "always rebuild this layer",
    group: "Cache",
    min: 0,
    max: 0,
    expand: () => [hint("invalidate", crypto.randomUUID())],
  },
];

const EVAL_MACROS: Macro[] = [
  {
    names: ["--eval-file"],
    usage: "FILE",
    summary: "the macros in FILE (a Plashfile: one a line)",
    group: "Macros from elsewhere",
    min: 1,
    max: 1,
    expand: async ([file], ctx) => {
      let text: string;
      try {
        text = await Deno.readTextFile(inDir(ctx.dir, file));
      } catch (error) {
        throw wrap(error, `cannot read ${file}`);
      }
      return await evalText(text, ctx);
    },
  },
  {
    names: ["--eval-stdin"],
    usage: "",
    summary: "the macros read from stdin, one a line",
    group: "Macros from elsewhere",
    min: 0,
    max: 0,
    expand: async (_, ctx) => await evalText(await ctx.stdin(), ctx),
  },
  {
    names: ["--eval-url"],
    usage: "URL",
    summary: "the macros downloaded from URL, one a line",
    group: "Macros from elsewhere",
    min: 1,
    max: 1,
    expand: async ([url], ctx) => await evalUrl(url, ctx),
  },
  {
    names: ["--eval-github"],
    usage: "USER/REPO[/FILE] [FILE]",
    summary: "the macros in FILE (default: plashfile) of a GitHub repository's master branch",
    group: "Macros from elsewhere",
    min: 1,
    max: 2,
    expand: async ([repo, file], ctx) => await evalUrl(githubRawUrl(repo, file), ctx),
  },
  {
    names: ["--hint"],
    usage: "NAME [VALUE]",
    summary: "write `### plash hint: NAME=VALUE` into the script (exec VALUE: the entrypoint)",
    group: "Other",
    min: 1,
    max: 2,
    expand: ([name, value]) =>
      // The original plash's --entrypoint was the `exec` hint: Plashfiles may say it so.
      name === "exec" && value !== undefined
        ? [entrypoint([value])]
        : [{ kind: "hint", name, value, verbatim: true }],
  },
  {
    names: ["--#", "-#"],
    usage: "[WORD...]",
    summary: "a comment: ignores its arguments",
    group: "Other",
    min: 0,
    max: MANY,
    expand: () => [],
  },
];

const SHORTCUTS: Macro[] = DISTRIBUTIONS.map(({ letter, image, packages }) => ({
  names: [`-${letter}`],
  usage: "[PACKAGE...]",
  summary: `--from ${image} --${packages} PACKAGE...`,
  group: "Shortcuts",
  min: 0,
  max: MANY,
  expand: (args, ctx) =>
    ctx.evaluate([{ name: "--from", args: [image] }, { name: `--${packages}`, args }]),
}));

/** Every macro, in the order `plash help-macros` lists them within a group. */
export const MACROS: Macro[] = [
  ...BASE_MACROS,
  ...STEP_MACROS,
  ...PACKAGE_MACROS,
  ...FILE_MACROS,
  ...CONFIG_MACROS,
  ...CACHE_MACROS,
  ...EVAL_MACROS,
  ...SHORTCUTS,
];

/** The macro called `name` (any of its names). */
export function findMacro(name: string): Macro | undefined {
  return MACROS.find((macro) => macro.names.includes(name));
}

/** `path` from directory `dir` when it is relative. */
function inDir(dir: string, path: string): string {
  return path.startsWith("/") ? path : `${dir === "/" ? "" : dir}/${path}`;
}
