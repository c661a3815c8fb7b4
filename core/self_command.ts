/**
 * How plash starts another plash: the compiled binary runs itself; the start
 * bundle (`dist/js/cli.js`, see `scripts/bundle.ts`) runs the bundle; from
 * source, Deno runs cli.ts. Both with the project's config, and with Deno
 * started as this one was (the release archive's through its own glibc loader).
 *
 * @module
 */

const FROM_SOURCES = import.meta.url.endsWith(".ts");
/** The project: the sources' root, or two levels above the bundle's main module. */
const PROJECT = FROM_SOURCES ? new URL("../", import.meta.url) : new URL("../../", Deno.mainModule);

/**
 * How this process's Deno was started: `Deno.execPath()`, or, when the
 * release launcher started Deno through the glibc loader it carries (so that
 * the host needs no C library), that loader with its library path and the
 * Deno it ran, which the launcher names in `PLASH_DENO`.
 */
function denoCommand(): string[] {
  const program = Deno.execPath();
  const deno = Deno.env.get("PLASH_DENO");
  const loader = /^(.*)\/ld-linux-[^/]+$/.exec(program);
  return deno && loader ? [program, "--library-path", loader[1], deno] : [program];
}

/**
 * The argv that runs `plash ARGS...`.
 *
 * @example
 * ```ts
 * import { selfCommand } from "./self_command.ts";
 *
 * const [program, ...args] = selfCommand(["version"]);
 * await new Deno.Command(program, { args }).output();
 * ```
 */
export function selfCommand(args: string[]): string[] {
  // A compiled binary serves its modules from a virtual deno-compile directory.
  if (import.meta.url.includes("/deno-compile-")) return [Deno.execPath(), ...args];
  const main = FROM_SOURCES
    ? new URL("cli.ts", PROJECT).pathname
    : new URL(Deno.mainModule).pathname;
  return [
    ...denoCommand(),
    "run",
    "-A",
    "--quiet",
    // As bin/plash runs it: with every function in Deno's code cache, a start compiles none;
    // nothing of V8's done on another thread behind a clone child (bin/plash).
    "--v8-flags=--no-lazy,--single-threaded,--no-sparkplug",
    "--config",
    new URL("deno.json", PROJECT).pathname,
    main,
    ...args,
  ];
}
