/**
 * How plash starts another plash: the compiled binary runs itself; from
 * source, Deno runs cli.ts with the project's config.
 *
 * @module
 */

const root = new URL("../", import.meta.url);

/** The argv that runs `plash ARGS...`. */
export function selfCommand(args: string[]): string[] {
  // A compiled binary serves its modules from a virtual deno-compile directory.
  if (root.pathname.includes("/deno-compile-")) return [Deno.execPath(), ...args];
  return [
    Deno.execPath(),
    "run",
    "-A",
    "--quiet",
    "--config",
    new URL("deno.json", root).pathname,
    new URL("cli.ts", root).pathname,
    ...args,
  ];
}
