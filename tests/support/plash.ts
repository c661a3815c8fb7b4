/**
 * Test support: a private data directory per test, and plash run as a real
 * subprocess the way users run it.
 *
 * @module
 */

import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { selfCommand } from "../../core/self_command.ts";
import { Store } from "../../core/store/store.ts";
import { runCommand } from "./command.ts";

/** How to run a program in a test. */
type RunOptions = { stdin?: string; env?: Record<string, string>; cwd?: string };

/** What a finished plash process did. */
export interface Result {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** A private PLASH_DATA for one test, made as `plash init` makes it; remove it with `using`. */
export class TestStore implements Disposable {
  readonly data: string;

  /** A new store; `{ init: false }` leaves the data directory unmade (only `init` makes one). */
  constructor(options: { init?: boolean } = {}) {
    const dir = Deno.makeTempDirSync({ prefix: "plash-test-" });
    this.data = `${dir}/data`;
    try {
      if (options.init !== false) Store.create(this.data);
    } catch (error) {
      Deno.removeSync(dir, { recursive: true }); // no store: nothing but the temp dir to remove
      throw error;
    }
  }

  /** The store as the library sees it. */
  get images(): Store {
    return Store.open(this.data);
  }

  /**
   * Runs `plash ARGS...` with this store; `stdin` is written and closed when
   * given. `prefix` runs plash through another program (setpriv, say).
   */
  plash(args: string[], options: RunOptions & { prefix?: string[] } = {}): Promise<Result> {
    return this.spawn([...(options.prefix ?? []), ...selfCommand(args)], options);
  }

  /** Runs any program (`argv[0]`) with this store, as {@linkcode plash} does. */
  async spawn(argv: string[], options: RunOptions = {}): Promise<Result> {
    const [program, ...rest] = argv;
    const output = await runCommand(program, rest, {
      ...options,
      env: { PLASH_DATA: this.data, ...options.env },
    });
    return { ...output, stdout: new TextDecoder().decode(output.stdout) };
  }

  /**
   * Starts `plash ARGS...` with this store, its stdout piped (and its stderr
   * with `stderr: "piped"`), and returns the process.
   */
  start(args: string[], options: { stderr?: "piped" } = {}): Deno.ChildProcess {
    const [program, ...rest] = selfCommand(args);
    return new Deno.Command(program, {
      args: rest,
      env: { PLASH_DATA: this.data },
      stdout: "piped",
      stderr: options.stderr,
    }).spawn();
  }

  /** Runs plash and fails the test unless it exits 0; returns its trimmed stdout. */
  async ok(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
    const result = await this.plash(args, options);
    if (result.code !== 0) {
      throw new Error(`plash ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
    }
    return result.stdout.trim();
  }

  /** Imports the busybox fixture as a new image on the empty root; returns its id. */
  async busybox(): Promise<string> {
    const copy = `${this.data}.busybox`;
    const cp = await new Deno.Command("cp", { args: ["-a", await busyboxRootfs(), copy] })
      .output();
    if (!cp.success) throw new Error("cp of the busybox fixture failed");
    return await this.ok(["add-layer", "0", copy]);
  }

  /**
   * Removes the store. Without root, images may hold files of the user's
   * subordinate ids, which only plash's user namespace can delete: plash
   * purges them first.
   */
  [Symbol.dispose](): void {
    if (Deno.uid() !== 0) {
      const [program, ...args] = selfCommand(["purge", "--yes"]);
      new Deno.Command(program, { args, env: { PLASH_DATA: this.data }, stderr: "null" })
        .outputSync();
    }
    Deno.removeSync(this.data.slice(0, -"/data".length), { recursive: true });
  }
}

/**
 * Asserts that plash refused its command line as the original plash did: the
 * usage line alone (`usage: plash CMD ...`) on stderr, exit status 1; returns
 * the line.
 */
export function usageFailure(result: Result): string {
  const lines = result.stderr.trimEnd().split("\n");
  if (result.code !== 1 || lines.length !== 1 || !lines[0].startsWith("usage: plash ")) {
    throw new Error(
      `expected exit 1 and one "usage: plash" line, got ${result.code}: ${
        JSON.stringify(result.stderr)
      }`,
    );
  }
  return lines[0];
}

/** Asserts that a failed plash said exactly one line starting with `plash error:`. */
export function oneLineError(result: Result): string {
  const lines = result.stderr.trimEnd().split("\n");
  if (lines.length !== 1 || !lines[0].startsWith("plash error: ")) {
    throw new Error(`expected one "plash error:" line, got: ${JSON.stringify(result.stderr)}`);
  }
  return lines[0];
}
