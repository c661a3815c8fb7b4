/**
 * Docker's ignore rules (`.dockerignore`, COPY `--exclude`), as its
 * patternmatcher reads them: Go's filepath.Match wildcards (`*`, `?`,
 * `[a-z]`, `\` escapes) plus `**` for any number of directories, `!` for an
 * exception, the last matching rule deciding, and a rule that matches a
 * directory matching everything below it.
 *
 * Plash's own rather than the npm package `@balena/dockerignore`: that is
 * CommonJS, which costs a Deno start about 150 ms (see the README).
 *
 * @example
 * ```ts
 * import { IgnoreRules } from "./ignore_rules.ts";
 *
 * const rules = new IgnoreRules(["*.log", "!keep.log", "build/"]);
 * rules.excludes("a.log"); // true
 * rules.excludes("keep.log"); // false
 * rules.excludes("build/out/x"); // true
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";

interface Rule {
  regex: RegExp;
  exception: boolean;
}

/** A list of ignore patterns. */
export class IgnoreRules {
  readonly #rules: Rule[];
  /** Whether some rule is an exception (`!`): an ignored directory may hold kept files. */
  readonly hasExceptions: boolean;

  /** The rules of `patterns`, one a line as in a .dockerignore (comments and blanks skipped). */
  constructor(patterns: string[]) {
    this.#rules = patterns.map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => {
        const exception = line.startsWith("!");
        const pattern = clean(exception ? line.slice(1).trim() : line);
        return { regex: patternRegex(pattern), exception };
      });
    this.hasExceptions = this.#rules.some((rule) => rule.exception);
  }

  /** Whether the rules exclude `path` (relative to the context, no leading `./`). */
  excludes(path: string): boolean {
    const parts = path.split("/");
    let matched = false;
    for (const rule of this.#rules) {
      // An exception can only undo a match, a rule only make one.
      if (rule.exception !== matched) continue;
      let match = rule.regex.test(path);
      for (let i = 1; !match && i < parts.length; i++) {
        match = rule.regex.test(parts.slice(0, i).join("/"));
      }
      if (match) matched = !rule.exception;
    }
    return matched;
  }
}

/** Go's filepath.Clean, relative: no `.`, empty or leading `/` parts, `..` resolved. */
function clean(pattern: string): string {
  const parts: string[] = [];
  for (const part of pattern.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length && parts.at(-1) !== "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/") || ".";
}

/**
 * The regular expression of one pattern, as docker's patternmatcher compiles
 * it; for one path component (a COPY source's), Go's filepath.Match.
 */
export function patternRegex(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") i++;
      // `**` at the end is anything; elsewhere any number of whole directories.
      source += i + 1 >= pattern.length ? ".*" : "(?:.*/)?";
    } else if (ch === "*") {
      source += "[^/]*";
    } else if (ch === "?") {
      source += "[^/]";
    } else if (ch === "\\" && i + 1 < pattern.length) {
      source += escapeRegex(pattern[++i]);
    } else if (ch === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close === -1) throw new PlashError(`syntax error in pattern: ${pattern}`);
      source += `[${pattern.slice(i + 1, close)}]`;
      i = close;
    } else {
      source += escapeRegex(ch);
    }
  }
  return new RegExp(`^${source}$`);
}

function escapeRegex(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
