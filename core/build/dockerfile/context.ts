/**
 * The build context: a directory whose files COPY and ADD may name, less
 * what `.dockerignore` (or `.containerignore`, or `FILE.dockerignore` beside
 * the Dockerfile, or `--ignorefile`) excludes, with docker's rules (see `ignore_rules.ts`).
 * Sources are matched with docker's wildcards (`*`, `?`, `[a-z]`, `\`), one
 * path component at a time, and never leave the context.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BuildContext } from "./context.ts";
 *
 * const dir = Deno.makeTempDirSync(); // a build context
 * Deno.mkdirSync(`${dir}/src`);
 * Deno.writeTextFileSync(`${dir}/src/b.ts`, "");
 * Deno.writeTextFileSync(`${dir}/src/a.ts`, "");
 * const context = BuildContext.open(dir, `${dir}/Dockerfile`);
 * assert.deepEqual(context.match("src/*.ts"), ["src/a.ts", "src/b.ts"]); // sorted
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import { IgnoreRules, patternRegex } from "./ignore_rules.ts";
import { entryExists } from "../../tree/entry_exists.ts";

/** A build context with its ignore rules. */
export class BuildContext {
  private constructor(
    /** The context directory, absolute. */
    readonly root: string,
    private readonly rules: IgnoreRules,
  ) {}

  /**
   * The context at `root` (absolute) with the ignore file of `dockerfile`
   * (`FILE.dockerignore`, else `root/.containerignore`, else
   * `root/.dockerignore`) or `ignoreFile`.
   */
  static open(root: string, dockerfile: string | undefined, ignoreFile?: string): BuildContext {
    const candidates = ignoreFile !== undefined ? [ignoreFile] : [
      ...(dockerfile ? [`${dockerfile}.dockerignore`] : []),
      `${root}/.containerignore`, // podman's name, read first as podman does
      `${root}/.dockerignore`,
    ];
    let rules: string[] = [];
    for (const file of candidates) {
      try {
        rules = Deno.readTextFileSync(file).split("\n");
        break;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        if (file === ignoreFile) throw new PlashError(`no such ignore file: ${ignoreFile}`);
      }
    }
    return new BuildContext(root, new IgnoreRules(rules));
  }

  /**
   * The host path of the context's `path` (relative to the root), its
   * symlinks followed; refused when they lead outside the context.
   */
  hostPath(path: string): string {
    const real = Deno.realPathSync(`${this.root}/${path}`);
    const root = Deno.realPathSync(this.root);
    if (real !== root && !real.startsWith(`${root}/`)) {
      throw new PlashError(`${path}: its symlink leads outside the build context ${this.root}`);
    }
    return real === root ? this.root : `${this.root}${real.slice(root.length)}`;
  }

  /** Whether the ignore rules exclude `path` (relative to the root). */
  excludes(path: string): boolean {
    return path !== "" && this.rules.excludes(path);
  }

  /** Whether a walk must look into the ignored directory `path` for exceptions. */
  descendsInto(path: string): boolean {
    return !this.excludes(path) || this.rules.hasExceptions;
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
      const regex = hasWildcard(part) ? patternRegex(part) : undefined;
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
    const kept = found.filter((path) =>
      !this.excludes(path) && entryExists(`${this.root}/${path}`)
    );
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

function hasWildcard(part: string): boolean {
  return /[*?[]/.test(part);
}

function unescape(part: string): string {
  return part.replace(/\\(.)/g, "$1");
}
