/**
 * A Dockerfile's text as a list of instructions, read with the npm package
 * `dockerfile-ast` (the parser of Docker's editor tooling: parser directives,
 * `# escape=`, continuations, comments, flags, heredocs). It is lenient, as an
 * editor's parser must be, so what docker refuses is refused here, naming
 * FILE:LINE and the instruction.
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

import { DockerfileParser } from "dockerfile-ast";
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

/** Reads `text`; `file` names it in errors (`Dockerfile:3: ...`). */
export function parseDockerfile(text: string, file: string): Dockerfile {
  const parsed = DockerfileParser.parse(text);
  const escape = parsed.getEscapeCharacter();
  const lines = text.split("\n");
  const instructions = parsed.getInstructions().map((node) => {
    const line = node.getRange().start.line + 1;
    const keyword = node.getKeyword().toUpperCase();
    const where = `${file}:${line}`;
    if (!KEYWORDS.has(keyword)) {
      throw new PlashError(`${where}: unknown instruction: ${node.getInstruction()}`);
    }
    const withFlags = node as unknown as { getFlags?(): FlagNode[] };
    const flags = (withFlags.getFlags?.() ?? []).map((flag) => ({
      name: flag.getName(),
      value: flag.getValue() ?? "",
    }));
    const content = node.getArgumentsContent() ?? "";
    const args = content.split("\n")[0].trim();
    if (args === "" && keyword !== "HEALTHCHECK") {
      throw new PlashError(`${where}: ${keyword} requires at least one argument`);
    }
    const withHeredocs = node as unknown as { getHeredocs?(): HeredocNode[] };
    const heredocs = ["RUN", "COPY", "ADD"].includes(keyword)
      ? (withHeredocs.getHeredocs?.() ?? []).map((heredoc) => readHeredoc(heredoc, args, lines))
      : [];
    const shownFlags = flags.map(({ name, value }) =>
      value === "" ? `--${name}` : `--${name}=${value}`
    );
    return {
      keyword,
      line,
      flags,
      args,
      json: execForm(args),
      heredocs,
      text: [keyword, ...shownFlags, args].join(" "),
    };
  });
  return { escape, instructions };
}

/** The parts of dockerfile-ast's Flag read here. */
interface FlagNode {
  getName(): string;
  getValue(): string | null;
}

/** The parts of dockerfile-ast's Heredoc read here. */
interface HeredocNode {
  getName(): string;
  getContentRange(): { start: { line: number } } | null;
  getDelimiterRange(): { start: { line: number } } | null;
}

function readHeredoc(node: HeredocNode, args: string, lines: string[]): Heredoc {
  const name = node.getName();
  const start = node.getContentRange()?.start.line;
  const end = node.getDelimiterRange()?.start.line;
  if (end === undefined) throw new PlashError(`unterminated heredoc ${name}`);
  let body = start === undefined ? [] : lines.slice(start, end);
  // `<<-EOF` strips leading tabs, as the shell does.
  const opener = new RegExp(`<<(-?)(["']?)${name.replace(/[^\w]/g, "\\$&")}\\2`).exec(args);
  if (opener?.[1] === "-") body = body.map((line) => line.replace(/^\t+/, ""));
  return {
    name,
    content: body.map((line) => `${line}\n`).join(""),
    expand: opener?.[2] === "",
  };
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
