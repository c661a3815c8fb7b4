/**
 * Test support: a private data directory per test, and plash run as a real
 * subprocess the way users run it.
 *
 * @module
 */

import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { selfCommand } from "../../core/self_command.ts";

/** What a finished plash process did. */
export interface Result {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** A private PLASH_DATA for one test; remove it with `using`. */
export class TestStore implements Disposable {
  readonly data: string;

  constructor() {
    this.data = `${Deno.makeTempDirSync({ prefix: "plash-test-" })}/data`;
  }

  /** Runs `plash ARGS...` with this store; `stdin` is written and closed when given. */
  plash(
    args: string[],
    options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
  ): Promise<Result> {
    return this.spawn(selfCommand(args), options);
  }

  /** Runs any program (`argv[0]`) with this store, as {@linkcode plash} does. */
  async spawn(
    argv: string[],
    options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
  ): Promise<Result> {
    const [program, ...rest] = argv;
    const child = new Deno.Command(program, {
      args: rest,
      env: { PLASH_DATA: this.data, ...options.env },
      cwd: options.cwd,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (options.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(options.stdin));
      await writer.close();
    }
    const output = await child.output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      signal: output.signal,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
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

  [Symbol.dispose](): void {
    Deno.removeSync(this.data.slice(0, -"/data".length), { recursive: true });
  }
}

/** Asserts that a failed plash said exactly one line starting with `plash error:`. */
export function oneLineError(result: Result): string {
  const lines = result.stderr.trimEnd().split("\n");
  if (lines.length !== 1 || !lines[0].startsWith("plash error: ")) {
    throw new Error(`expected one "plash error:" line, got: ${JSON.stringify(result.stderr)}`);
  }
  return lines[0];
}
