/**
 * Importing a module on first use without Deno loading it at start-up.
 *
 * Deno follows a literal `import("./x.ts")` while it loads the importing
 * module, before any code runs, so a literal dynamic import costs every
 * start what a static one does. A computed specifier stays out of that walk.
 *
 * Paths are given from the project's root (`core/cmd/run.ts`), so that they
 * mean the same from the sources and from the pre-built start bundle
 * (`deno task bundle`, see `scripts/bundle.ts`), where every such module is an
 * entry of its own at the same path with `.js` for `.ts`, beside the
 * bundle's main module.
 *
 * @module
 */

/** Whether plash runs from its TypeScript sources (else from the bundle). */
const FROM_SOURCES = import.meta.url.endsWith(".ts");
/** The project root, or the bundle's directory (where its main module, cli.js, is). */
const ROOT = FROM_SOURCES ? new URL("../", import.meta.url) : new URL("./", Deno.mainModule);

/**
 * The module at `path`, from the project's root (`core/images/tarball/import_tar.ts`),
 * or a `node:` module. Give its type as `typeof import("PATH")`, relative to
 * the caller as usual: type-only, so not loaded either.
 *
 * @example
 * ```ts
 * import { lazyImport } from "./lazy_import.ts";
 *
 * const { sha256File } = await lazyImport<typeof import("./sha256.ts")>("core/sha256.ts");
 * ```
 */
export function lazyImport<T>(path: string): Promise<T> {
  if (path.startsWith("node:")) return import(path);
  return import(new URL(FROM_SOURCES ? path : path.replace(/\.ts$/, ".js"), ROOT).href);
}
