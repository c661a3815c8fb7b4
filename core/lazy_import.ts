/**
 * Importing a module on first use without Deno loading it at start-up.
 *
 * Deno follows a literal `import("./x.ts")` while it loads the importing
 * module, before any code runs, so a literal dynamic import costs every
 * start what a static one does. A computed specifier stays out of that walk.
 * (`deno compile` embeds core/ whole, so such modules are still there.)
 *
 * @module
 */

/**
 * The module at `path`, relative to the module `base` (its `import.meta.url`).
 * Give its type as `typeof import("PATH")`: type-only, so not loaded either.
 *
 * @example
 * ```ts
 * import { lazyImport } from "./lazy_import.ts";
 *
 * const { sha256File } = await lazyImport<typeof import("./sha256.ts")>(
 *   import.meta.url,
 *   "./sha256.ts",
 * );
 * ```
 */
export function lazyImport<T>(base: string, path: string): Promise<T> {
  return import(new URL(path, base).href);
}
