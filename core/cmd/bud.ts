/**
 * `plash bud [-f FILE] [-t NAME]... [--build-arg NAME[=VALUE]]... [--target
 * STAGE] [--no-cache] [--cache-from REG/REPO] [--cache-to REG/REPO] [--label
 * K=V]... [--secret id=ID,src=PATH]... [--ignorefile FILE] [-q] [CONTEXT]`:
 * builds a Dockerfile as `podman build` does and prints the image id, the
 * last line of stdout; the steps' traces and output go to stderr.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import type { DockerfileBuild } from "../build/dockerfile/build_dockerfile.ts";
import { memoRecordKey, recordedBuild, writeMemoRecord } from "../build/dockerfile/memo_record.ts";
import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { needPrivilege } from "../privilege.ts";
import { absolutePath } from "../store/data_dir.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const quiet = args.flag("quiet");
  const context = absolutePath(args.positionals[0] ?? ".");
  if (!isDirectory(context)) throw new PlashError(`bud: no such context directory: ${context}`);
  const tags = args.values("tag");
  // Loaded only for tags: an untagged build loads no naming code.
  const keys = tags.length
    ? tags.map(
      (await lazyImport("tagCommand")).nameKey,
    )
    : [];
  // Stdin can be read once: by the start that builds.
  if (args.value("file") === "-") needPrivilege();
  const { text, file, path } = await readDockerfile(args.value("file"), context);
  const store = Store.open();
  const build: DockerfileBuild = {
    text,
    file,
    path,
    context,
    buildArgs: pairs(args.values("build-arg"), "--build-arg", true),
    target: args.value("target"),
    noCache: args.flag("no-cache"),
    cacheFrom: args.values("cache-from"),
    cacheTo: args.values("cache-to"),
    labels: pairs(args.values("label"), "--label", false),
    secrets: secrets(args.values("secret")),
    ignoreFile: args.value("ignorefile"),
    quiet,
  };
  const id = await memoized(store, build);
  for (const key of keys) store.setMap(key, id);
  printLine(id);
}

/**
 * The image of `build`: the memo record's, when an unchanged build made it
 * before (then its trace is printed as a build all from the cache prints it);
 * else the whole-build memo's, for a quiet build; else built step by step,
 * then memoized and recorded.
 */
async function memoized(store: Store, build: DockerfileBuild): Promise<number> {
  const recordKey = await memoRecordKey(build);
  const recorded = recordKey && recordedBuild(store, build, recordKey);
  if (recorded && (build.quiet || recorded.trace)) {
    if (!build.quiet) { for (const line of recorded.trace!) console.error(line); }
    return recorded.id;
  }
  // A recorded build needs no root; the rest writes the store, maybe runs steps: as the
  // caller when they write no files of other owners (root_steps.ts).
  if (Deno.uid() !== 0 && (await lazyImport("rootSteps")).needsNamespaceRoot(build)) {
    needPrivilege();
  }
  // Loaded only on a miss of the record: its lookup parses the Dockerfile.
  const { buildMemo } = await lazyImport("buildMemo");
  const memo = await buildMemo(store, build);
  const record = memo && !memo.racy ? memo.record : undefined;
  const found = memo && build.quiet ? store.getMap(memo.mapKey) : undefined;
  if (found !== undefined) {
    // No trace known: a build that is not quiet goes step by step once more.
    if (recordKey && record) writeMemoRecord(store, recordKey, found, record);
    return found;
  }
  // Loaded only here: a memoized build loads none of the steps' or progress code.
  const [{ buildDockerfile }, { setQuiet }] = await Promise.all([
    lazyImport("buildDockerfile"),
    lazyImport("progress"),
  ]);
  setQuiet(!!build.quiet);
  const cachedTrace: string[] = [];
  const id = await buildDockerfile(store, { ...build, cachedTrace });
  if (memo && !memo.racy) store.setMap(memo.mapKey, id);
  if (recordKey && record) writeMemoRecord(store, recordKey, id, { ...record, trace: cachedTrace });
  return id;
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** The Dockerfile: `-f FILE` (`-` for stdin), else CONTEXT/Containerfile, else CONTEXT/Dockerfile. */
async function readDockerfile(
  given: string | undefined,
  context: string,
): Promise<{ text: string; file: string; path?: string }> {
  if (given === "-") {
    return { text: await new Response(Deno.stdin.readable).text(), file: "-" };
  }
  const candidates = given !== undefined
    ? [absolutePath(given)]
    : [`${context}/Containerfile`, `${context}/Dockerfile`];
  for (const path of candidates) {
    try {
      return {
        text: Deno.readTextFileSync(path),
        file: given ?? path.slice(context.length + 1),
        path,
      };
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new PlashError(`bud: cannot read ${path}: ${(error as Error).message}`);
      }
    }
  }
  throw new PlashError(
    given !== undefined
      ? `bud: no such Dockerfile: ${given}`
      : `bud: no Containerfile or Dockerfile in ${context}`,
  );
}

/** `NAME=VALUE` options; with `fromHost`, a bare NAME takes the host's value. */
function pairs(values: string[], option: string, fromHost: boolean): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf("=");
    if (equals > 0) {
      result[value.slice(0, equals)] = value.slice(equals + 1);
    } else if (fromHost && equals < 0) {
      const host = Deno.env.get(value);
      if (host !== undefined) result[value] = host;
    } else {
      throw new PlashError(`bud: ${option} needs NAME=VALUE, got: ${value}`);
    }
  }
  return result;
}

/** `--secret id=ID,src=PATH`: the file each id reads. */
function secrets(values: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values) {
    const fields = Object.fromEntries(value.split(",").map((part) => part.split("=", 2)));
    const source = fields.src ?? fields.source;
    if (!fields.id || !source) {
      throw new PlashError(`bud: --secret needs id=ID,src=PATH, got: ${value}`);
    }
    if (!Deno.statSync(absolutePath(source)).isFile) {
      throw new PlashError(`bud: --secret ${value}: not a file`);
    }
    result[fields.id] = absolutePath(source);
  }
  return result;
}
