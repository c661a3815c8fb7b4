/**
 * A Dockerfile's text as a list of instructions, read as BuildKit's parser
 * reads it: parser directives at the top (`# escape=`; `# syntax=` and
 * `# check=` accepted and ignored), comments and blank lines (also inside a
 * continuation), lines continued with the escape character, leading
 * `--name=value` flags, exec form (a JSON array), and the heredocs of RUN,
 * COPY and ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`, several on one line).
 *
 * Plash's own rather than the npm package `dockerfile-ast`: that package and
 * the vscode-languageserver packages it loads are CommonJS, which costs a
 * Deno start about 150 ms of Node compatibility (see the README), more than
 * a whole cached build may take.
 *
 * @example
 * ```ts
 * import { parseDockerfile } from "./parse.ts";
 *
 * const { instructions } = parseDockerfile("FROM busybox\nRUN echo hi\n", "Dockerfile");
 * instructions[1].keyword; // "RUN"
 * instructions[1].args; // "echo hi"
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";

/** A heredoc of an instruction (`<<EOF`): its name and its lines. */
export interface Heredoc {
  name: string;
  /** The lines between the instruction and the delimiter, each ending in a newline. */
  content: string;
  /** Whether variables in it are expanded (the delimiter was not quoted). */
  expand: boolean;
}

/** One instruction, its continuation lines joined. */
export interface Instruction {
  /** In capitals: `RUN`. */
  keyword: string;
  /** Where it starts in the file, from 1. */
  line: number;
  /** Its `--name=value` flags in order; a flag without `=` has the value "". */
  flags: { name: string; value: string }[];
  /** The arguments after the flags, on one line (a heredoc's body left out). */
  args: string;
  /** The arguments in exec form (a JSON array of strings), when they are. */
  json?: string[];
  heredocs: Heredoc[];
  /** The instruction as a trace shows it: keyword, flags, arguments. */
  text: string;
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  /** The escape character (`# escape=`), `\` by default. */
  escape: string;
  instructions: Instruction[];
}

/** The instructions docker knows. */
export const KEYWORDS = new Set([
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);

/** The instructions whose arguments may open heredocs. */
const HEREDOC_KEYWORDS = new Set(["RUN", "COPY", "ADD"]);

/** Reads `text`; `file` names it in errors (`Dockerfile:3: ...`). */
export function parseDockerfile(text: string, file: string): Dockerfile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let at = 0;
  let escape = "\\";
  // Parser directives: `# name=value` lines at the very top.
  for (; at < lines.length; at++) {
    const directive = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$/.exec(lines[at]);
    if (!directive) break;
    if (directive[1].toLowerCase() === "escape") {
      if (directive[2] !== "\\" && directive[2] !== "`") {
        throw new PlashError(`${file}:${at + 1}: invalid escape token '${directive[2]}'`);
      }
      escape = directive[2];
    }
  }
  const instructions: Instruction[] = [];
  while (at < lines.length) {
    const start = at;
    let logical = "";
    // Joins continuation lines; comments and blank lines inside one are dropped.
    for (; at < lines.length; at++) {
      const line = lines[at];
      const trimmed = line.trim();
      if (trimmed === "" || trimmed.startsWith("#")) continue;
      const body = line.replace(/\s+$/, "");
      if (body.endsWith(escape)) {
        logical += body.slice(0, -1);
        continue;
      }
      logical += body;
      at++;
      break;
    }
    logical = logical.trimStart();
    if (logical === "") break;
    const line = firstLine(lines, start);
    const where = `${file}:${line}`;
    const [word] = logical.split(/\s/, 1);
    const keyword = word.toUpperCase();
    if (!KEYWORDS.has(keyword)) throw new PlashError(`${where}: unknown instruction: ${word}`);
    const { flags, rest } = splitFlags(logical.slice(word.length).trim());
    if (rest === "" && keyword !== "HEALTHCHECK") {
      throw new PlashError(`${where}: ${keyword} requires at least one argument`);
    }
    const heredocs: Heredoc[] = [];
    if (HEREDOC_KEYWORDS.has(keyword)) {
      for (const opener of heredocOpeners(rest)) {
        const body: string[] = [];
        for (;;) {
          if (at >= lines.length) {
            throw new PlashError(`${where}: ${keyword}: unterminated heredoc ${opener.name}`);
          }
          const line = opener.chomp ? lines[at].replace(/^\t+/, "") : lines[at];
          at++;
          if (line === opener.name) break;
          body.push(`${line}\n`);
        }
        heredocs.push({ name: opener.name, content: body.join(""), expand: !opener.quoted });
      }
    }
    const shownFlags = flags.map(({ name, value }) =>
      value === "" ? `--${name}` : `--${name}=${value}`
    );
    instructions.push({
      keyword,
      line,
      flags,
      args: rest,
      json: execForm(rest),
      heredocs,
      text: [keyword, ...shownFlags, rest].join(" "),
    });
  }
  return { escape, instructions };
}

/** The number (from 1) of the first line from `index` that is not blank or a comment. */
function firstLine(lines: string[], index: number): number {
  while (index < lines.length && /^\s*(#.*)?$/.test(lines[index])) index++;
  return index + 1;
}

/** Leading `--name[=value]` words, and what follows them. */
function splitFlags(args: string): { flags: Instruction["flags"]; rest: string } {
  const flags: Instruction["flags"] = [];
  let rest = args;
  for (;;) {
    const match = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (!match) break;
    flags.push({ name: match[1], value: match[2] ?? "" });
    rest = rest.slice(match[0].length);
  }
  return { flags, rest: rest.trim() };
}

/** The heredocs `args` opens, in order, outside quotes. */
function heredocOpeners(args: string): { name: string; chomp: boolean; quoted: boolean }[] {
  const openers = [];
  const pattern = /<<(-?)(["']?)([A-Za-z0-9_.-]+)\2/g;
  let match;
  while ((match = pattern.exec(args)) !== null) {
    const before = args.slice(0, match.index);
    // Inside quotes it is text, not a heredoc.
    if ((before.split('"').length - 1) % 2 || (before.split("'").length - 1) % 2) continue;
    openers.push({ name: match[3], chomp: match[1] === "-", quoted: match[2] !== "" });
  }
  return openers;
}

/** `args` as an exec-form array, when it is a JSON array of strings (else shell form). */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith("[")) return undefined;
  try {
    const value = JSON.parse(args);
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
  } catch {
    // Not JSON: docker takes such a line in shell form.
  }
  return undefined;
}
