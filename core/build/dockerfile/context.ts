/**
 * The build context: a directory whose files COPY and ADD may name, less
 * what `.dockerignore` (or `FILE.dockerignore` beside the Dockerfile, or
 * `--ignorefile`) excludes, read with the npm package `@balena/dockerignore`
 * (docker's rules: `**`, `!` exceptions, the last matching line wins).
 * Sources are matched with docker's wildcards (`*`, `?`, `[a-z]`, `\`), one
 * path component at a time, and never leave the context.
 *
 * @example
 * ```ts
 * import { BuildContext } from "./context.ts";
 *
 * const context = BuildContext.open("/src/app", "/src/app/Dockerfile");
 * context.match("src/*.ts"); // ["src/a.ts", "src/b.ts"], sorted
 * ```
 *
 * @module
 */

import dockerignore, { type Ignore } from "@balena/dockerignore";
import { PlashError } from "../../errors.ts";

/** A build context with its ignore rules. */
export class BuildContext {
  private constructor(
    /** The context directory, absolute. */
    readonly root: string,
    private readonly ignored: (path: string) => boolean,
    /** Whether some rule is an exception (`!`): an ignored directory may hold kept files. */
    private readonly exceptions: boolean,
  ) {}

  /**
   * The context at `root` (absolute) with the ignore file of `dockerfile`
   * (`FILE.dockerignore`, else `root/.dockerignore`) or `ignoreFile`.
   */
  static open(root: string, dockerfile: string | undefined, ignoreFile?: string): BuildContext {
    const candidates = ignoreFile !== undefined
      ? [ignoreFile]
      : [...(dockerfile ? [`${dockerfile}.dockerignore`] : []), `${root}/.dockerignore`];
    let rules: string[] = [];
    for (const file of candidates) {
      try {
        rules = Deno.readTextFileSync(file).split("\n").map((line) => line.trim())
          .filter((line) => line !== "" && !line.startsWith("#"));
        break;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        if (file === ignoreFile) throw new PlashError(`no such ignore file: ${ignoreFile}`);
      }
    }
    // A CommonJS module: its default export is the function its types call `ignore`.
    const matcher = (dockerignore as unknown as () => Ignore)().add(rules);
    return new BuildContext(
      root,
      (path) => matcher.ignores(path),
      rules.some((rule) => rule.startsWith("!")),
    );
  }

  /** Whether the ignore rules exclude `path` (relative to the root). */
  excludes(path: string): boolean {
    return path !== "" && this.ignored(path);
  }

  /** Whether a walk must look into the ignored directory `path` for exceptions. */
  descendsInto(path: string): boolean {
    return !this.excludes(path) || this.exceptions;
  }

  /**
   * The paths (relative to the root, sorted) that `pattern` names: itself,
   * or what its wildcards match. One that leaves the context, or matches
   * nothing that is not excluded, is refused.
   */
  match(pattern: string): string[] {
    const parts = cleanParts(pattern);
    if (parts === undefined) {
      throw new PlashError(`${pattern}: outside the build context ${this.root}`);
    }
    let found = [""];
    for (const part of parts) {
      const next: string[] = [];
      const regex = hasWildcard(part) ? wildcardRegex(part) : undefined;
      for (const dir of found) {
        const prefix = dir === "" ? "" : `${dir}/`;
        if (regex === undefined) {
          next.push(`${prefix}${unescape(part)}`);
          continue;
        }
        let entries: Deno.DirEntry[];
        try {
          entries = [...Deno.readDirSync(`${this.root}/${dir}`)];
        } catch {
          continue;
        }
        for (const entry of entries) {
          if (regex.test(entry.name)) next.push(`${prefix}${entry.name}`);
        }
      }
      found = next;
    }
    const kept = found.filter((path) => !this.excludes(path) && exists(`${this.root}/${path}`));
    if (kept.length === 0) {
      throw new PlashError(
        `${pattern}: no such file or directory in the build context ${this.root} ` +
          "(or excluded by .dockerignore)",
      );
    }
    return kept.sort();
  }
}

/** `path`'s components inside the context, or undefined when `..` leaves it. */
function cleanParts(path: string): string[] | undefined {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.pop() === undefined) return undefined;
    } else {
      parts.push(part);
    }
  }
  return parts;
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function hasWildcard(part: string): boolean {
  return /[*?[]/.test(part);
}

function unescape(part: string): string {
  return part.replace(/\\(.)/g, "$1");
}

/** Go's filepath.Match for one component, as a regular expression. */
function wildcardRegex(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "*") source += "[^/]*";
    else if (ch === "?") source += "[^/]";
    else if (ch === "\\" && i + 1 < pattern.length) source += escapeRegex(pattern[++i]);
    else if (ch === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close === -1) throw new PlashError(`syntax error in pattern: ${pattern}`);
      let inner = pattern.slice(i + 1, close);
      if (inner.startsWith("^")) inner = `^${inner.slice(1)}`;
      source += `[${inner.replace(/\\(?!.)/g, "\\\\")}]`;
      i = close;
    } else source += escapeRegex(ch);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegex(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
