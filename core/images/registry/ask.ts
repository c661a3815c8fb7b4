/**
 * Reading a password: from a terminal without echo, or from stdin.
 *
 * @module
 */

import { PlashError } from "../../errors.ts";

/** Reads stdin to its end and returns it without the trailing newline. */
export async function readStdinLine(): Promise<string> {
  const text = await new Response(Deno.stdin.readable).text();
  return text.replace(/\r?\n$/, "");
}

/** Asks for a line on the terminal with `question`, not echoing what is typed. */
export function askHidden(question: string): string {
  Deno.stderr.writeSync(new TextEncoder().encode(question));
  Deno.stdin.setRaw(true);
  const typed: number[] = [];
  try {
    const byte = new Uint8Array(1);
    for (;;) {
      if (Deno.stdin.readSync(byte) !== 1) break;
      const [code] = byte;
      if (code === 0x0d || code === 0x0a) break;
      // Raw mode turns Ctrl-C into a byte rather than SIGINT.
      if (code === 0x03) throw new PlashError("interrupted", { exitCode: 130 });
      if (code === 0x7f || code === 0x08) typed.pop();
      else typed.push(code);
    }
  } finally {
    Deno.stdin.setRaw(false);
    Deno.stderr.writeSync(new TextEncoder().encode("\n"));
  }
  return new TextDecoder().decode(new Uint8Array(typed));
}
