/**
 * Test support: running a program to the end, with input, and keeping its
 * output.
 *
 * @module
 */

/** What a finished program did; stdout is kept as bytes (archives pass through it). */
export interface Output {
  code: number;
  signal: Deno.Signal | null;
  stdout: Uint8Array;
  stderr: string;
}

/** Runs `program ARGS...`; `stdin` is written and closed when given, else stdin is empty. */
export async function runCommand(
  program: string,
  args: string[],
  options: { stdin?: string | Uint8Array; env?: Record<string, string>; cwd?: string } = {},
): Promise<Output> {
  const child = new Deno.Command(program, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    const bytes = typeof options.stdin === "string"
      ? new TextEncoder().encode(options.stdin)
      : options.stdin;
    await writer.write(bytes);
    await writer.close();
  }
  const output = await child.output();
  return {
    code: output.code,
    signal: output.signal,
    stdout: output.stdout,
    stderr: new TextDecoder().decode(output.stderr),
  };
}
