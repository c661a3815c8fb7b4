/**
 * The instructions that change only the image's config (ENV, LABEL, EXPOSE,
 * VOLUME, STOPSIGNAL, USER, WORKDIR, CMD, ENTRYPOINT, SHELL, HEALTHCHECK,
 * ONBUILD, MAINTAINER), each to the {@linkcode ImageConfig} change it makes,
 * with docker's expansion where docker expands.
 *
 * @example
 * ```ts
 * import { configChange } from "./config_instructions.ts";
 *
 * const instruction = { keyword: "ENV", line: 2, flags: [], args: "A=1 B=$A", heredocs: [], text: "" };
 * configChange(instruction, { config: {}, vars: { A: "0" }, cmdSet: false, escape: "\\" });
 * // { env: { A: "1", B: "0" } }
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import type { Healthcheck, ImageConfig } from "../../store/image_config.ts";
import { execForm, type Instruction } from "./parse.ts";
import { expandWord, expandWords, splitWords, type Variables } from "./words.ts";

/** What a config instruction reads of its stage. */
export interface ConfigState {
  /** The image's config so far. */
  config: ImageConfig;
  /** The variables in scope: the ARGs and the ENV. */
  vars: Variables;
  /** Whether this stage set CMD (a later ENTRYPOINT keeps it then). */
  cmdSet: boolean;
  escape: string;
}

/** The shell of shell-form instructions unless SHELL says otherwise. */
export const DEFAULT_SHELL = ["/bin/sh", "-c"];

/** The config change `instruction` makes in a stage in `state`. */
export function configChange(instruction: Instruction, state: ConfigState): ImageConfig {
  const { args } = instruction;
  const escape = state.escape;
  const expand = (text: string) => expandWord(text, state.vars, escape);
  switch (instruction.keyword) {
    case "ENV":
      return { env: Object.fromEntries(pairs(instruction, state, true)) };
    case "LABEL":
      return { labels: Object.fromEntries(pairs(instruction, state, false)) };
    case "EXPOSE":
      return {
        exposedPorts: expandWords(args, state.vars, escape).map((port) =>
          port.includes("/") ? port.toLowerCase() : `${port}/tcp`
        ),
      };
    case "VOLUME":
      return {
        volumes: (instruction.json ?? expandWords(args, state.vars, escape)).map((path) =>
          instruction.json ? expand(path) : path
        ),
      };
    case "STOPSIGNAL":
      return { stopSignal: expand(args) };
    case "USER":
      return { user: expand(args) };
    case "WORKDIR":
      return { workdir: joinWorkdir(state.config.workdir ?? "/", expand(args)) };
    case "CMD":
      return { cmd: commandOf(instruction, state.config) };
    case "ENTRYPOINT": {
      const entrypoint = commandOf(instruction, state.config);
      // A new ENTRYPOINT drops the base image's CMD, not one this stage set.
      return state.cmdSet ? { entrypoint } : { entrypoint, cmd: [] };
    }
    case "SHELL":
      if (!instruction.json) {
        throw new PlashError("SHELL requires the arguments to be in JSON form");
      }
      return { shell: instruction.json };
    case "HEALTHCHECK":
      return { healthcheck: healthcheck(instruction) };
    case "ONBUILD": {
      const trigger = instruction.args.split(/\s+/)[0].toUpperCase();
      if (["ONBUILD", "FROM", "MAINTAINER"].includes(trigger)) {
        throw new PlashError(`${trigger} isn't allowed as an ONBUILD trigger`);
      }
      return { onBuild: [...(state.config.onBuild ?? []), instruction.args] };
    }
    case "MAINTAINER":
      return { author: args };
  }
  throw new Error(`not a config instruction: ${instruction.keyword}`);
}

/** `path` from `workdir`, as WORKDIR takes it (relative to the last one). */
export function joinWorkdir(workdir: string, path: string): string {
  const parts = (path.startsWith("/") ? path : `${workdir}/${path}`).split("/");
  const clean: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") clean.pop();
    else clean.push(part);
  }
  return `/${clean.join("/")}`;
}

/** The argv of an exec-form instruction, or its shell form under the stage's SHELL. */
export function commandOf(instruction: Instruction, config: ImageConfig): string[] {
  return instruction.json ?? [...(config.shell ?? DEFAULT_SHELL), instruction.args];
}

/** ENV's and LABEL's `NAME=VALUE...` (or, ENV only, `NAME VALUE`), values expanded. */
function pairs(instruction: Instruction, state: ConfigState, env: boolean): [string, string][] {
  const words = splitWords(instruction.args, state.escape);
  const expand = (text: string) => expandWord(text, state.vars, state.escape);
  if (!words[0].includes("=")) {
    if (words.length < 2) {
      throw new PlashError(`${instruction.keyword} names can not be blank or lack a value`);
    }
    // The old form: the rest of the line is the value.
    const value = instruction.args.slice(instruction.args.indexOf(words[0]) + words[0].length);
    return [[words[0], expand(value.trim())]];
  }
  return words.map((word) => {
    const equals = word.indexOf("=");
    if (equals <= 0) {
      throw new PlashError(`${instruction.keyword}: ${word}: expected NAME=VALUE`);
    }
    const name = word.slice(0, equals);
    return [env ? name : expand(name), expand(word.slice(equals + 1))];
  });
}

const NANOSECONDS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** A Go duration (`30s`, `1m30s`, `500ms`) in nanoseconds. */
function duration(text: string, flag: string): number {
  let total = 0;
  const pattern = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let match;
  let at = 0;
  while ((match = pattern.exec(text)) !== null) {
    total += Number(match[1]) * NANOSECONDS[match[2]];
    at = pattern.lastIndex;
  }
  if (text === "" || at !== text.length) {
    throw new PlashError(`HEALTHCHECK --${flag}: not a duration: ${text}`);
  }
  return total;
}

function healthcheck(instruction: Instruction): Healthcheck {
  const [kind] = instruction.args.split(/\s+/);
  if (kind.toUpperCase() === "NONE") return { Test: ["NONE"] };
  if (kind.toUpperCase() !== "CMD") {
    throw new PlashError(`HEALTHCHECK: expected CMD or NONE, got: ${instruction.args}`);
  }
  const rest = instruction.args.slice(kind.length).trim();
  const json = execForm(rest);
  const test = json ? ["CMD", ...json] : ["CMD-SHELL", rest];
  const check: Healthcheck = { Test: test };
  for (const { name, value } of instruction.flags) {
    if (name === "interval") check.Interval = duration(value, name);
    else if (name === "timeout") check.Timeout = duration(value, name);
    else if (name === "start-period") check.StartPeriod = duration(value, name);
    else if (name === "start-interval") check.StartInterval = duration(value, name);
    else if (name === "retries") check.Retries = Number(value);
    else throw new PlashError(`HEALTHCHECK: unknown flag --${name}`);
  }
  return check;
}
