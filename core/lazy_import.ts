/**
 * Importing a module on first use without Deno loading it at start-up, and
 * the table of every module plash loads that way.
 *
 * Deno follows a literal `import("./x.ts")` while it loads the importing
 * module, before any code runs, so a literal dynamic import costs every
 * start what a static one does. A computed specifier stays out of that walk.
 *
 * Each module is named once, in {@linkcode LAZY_MODULES}: a short name, its
 * path from the project's root and (type-only, so not loaded either) its
 * type. A call site says `lazyImport("importTar")` and gets that module's
 * type; a misspelt name fails `deno task check`. Paths from the root mean the
 * same from the sources and from the pre-built start bundle (`deno task
 * bundle`, see `scripts/bundle.ts`, which reads this table): there every such
 * module is an entry of its own at the same path with `.js` for `.ts`, beside
 * the bundle's main module.
 *
 * The `node:` modules whose loading costs a start (Node compatibility is set
 * up on first use) are in the table too, so that one list says all that is
 * loaded late; the bundle leaves them out, as they are not files. The table
 * lives with the loader rather than in a module of its own, so that the
 * start path loads no more modules than it did before the table.
 *
 * @module
 */

/** Whether plash runs from its TypeScript sources (else from the bundle). */
const FROM_SOURCES = import.meta.url.endsWith(".ts");
/**
 * The project root, or the bundle's directory (where its main module, cli.js, is), as a URL
 * ending in "/". Cut from the modules' URLs rather than resolved with `new URL`: Deno sets its
 * URL class up on first use, about 0.15 ms of every start, which would use it only here.
 */
const ROOT = FROM_SOURCES
  ? import.meta.url.slice(0, -"core/lazy_import.ts".length)
  : dirUrl(Deno.mainModule);

/** The URL of `url`'s directory, ending in "/" (`Deno.mainModule` is read once: 0.04 ms a read). */
function dirUrl(url: string): string {
  return url.slice(0, url.lastIndexOf("/") + 1);
}

declare const moduleType: unique symbol;
/** A module's path from the project's root, carrying the module's type (type-only). */
export type LazyPath<Module> = string & { readonly [moduleType]?: Module };

/** `path`, typed with its module: give the type as `typeof import("PATH")`, relative to here. */
function at<Module>(path: string): LazyPath<Module> {
  return path;
}

/** Every module plash imports on first use, by short name. */
export const LAZY_MODULES = {
  becomeUser: at<typeof import("./runtime/become_user.ts")>("core/runtime/become_user.ts"),
  buildDockerfile: at<typeof import("./build/dockerfile/build_dockerfile.ts")>(
    "core/build/dockerfile/build_dockerfile.ts",
  ),
  builder: at<typeof import("./build/builder.ts")>("core/build/builder.ts"),
  buildMemo: at<typeof import("./build/dockerfile/build_memo.ts")>(
    "core/build/dockerfile/build_memo.ts",
  ),
  buildLayer: at<typeof import("./build/build_layer.ts")>("core/build/build_layer.ts"),
  cdiRequest: at<typeof import("./runtime/cdi/request.ts")>("core/runtime/cdi/request.ts"),
  cdiResolve: at<typeof import("./runtime/cdi/resolve.ts")>("core/runtime/cdi/resolve.ts"),
  cdiYaml: at<typeof import("./runtime/cdi/yaml.ts")>("core/runtime/cdi/yaml.ts"),
  chown: at<typeof import("./build/dockerfile/chown.ts")>("core/build/dockerfile/chown.ts"),
  cliOutput: at<typeof import("./cli/output.ts")>("core/cli/output.ts"),
  copyLayer: at<typeof import("./build/dockerfile/copy_layer.ts")>(
    "core/build/dockerfile/copy_layer.ts",
  ),
  copyImage: at<typeof import("./images/copy_image.ts")>("core/images/copy_image.ts"),
  copyTree: at<typeof import("./tree/copy_tree.ts")>("core/tree/copy_tree.ts"),
  createImage: at<typeof import("./runtime/create_image.ts")>("core/runtime/create_image.ts"),
  dockerfileContext: at<typeof import("./build/dockerfile/context.ts")>(
    "core/build/dockerfile/context.ts",
  ),
  hashPath: at<typeof import("./build/hash_path.ts")>("core/build/hash_path.ts"),
  hostSupport: at<typeof import("./runtime/host_support.ts")>("core/runtime/host_support.ts"),
  http: at<typeof import("./net/http.ts")>("core/net/http.ts"),
  imageNames: at<typeof import("./images/names.ts")>("core/images/names.ts"),
  importLxc: at<typeof import("./images/lxc/import_lxc.ts")>("core/images/lxc/import_lxc.ts"),
  importTar: at<typeof import("./images/tarball/import_tar.ts")>(
    "core/images/tarball/import_tar.ts",
  ),
  importUrl: at<typeof import("./images/tarball/import_url.ts")>(
    "core/images/tarball/import_url.ts",
  ),
  interrupt: at<typeof import("./images/interrupt.ts")>("core/images/interrupt.ts"),
  lxcName: at<typeof import("./images/lxc/lxc_name.ts")>("core/images/lxc/lxc_name.ts"),
  mountless: at<typeof import("./runtime/mountless.ts")>("core/runtime/mountless.ts"),
  nodeCrypto: at<typeof import("node:crypto")>("node:crypto"),
  optionalSteps: at<typeof import("./runtime/optional_steps.ts")>(
    "core/runtime/optional_steps.ts",
  ),
  openUrl: at<typeof import("./net/open_url.ts")>("core/net/open_url.ts"),
  parseRunOptions: at<typeof import("./cli/commands/parse_run_options.ts")>(
    "core/cli/commands/parse_run_options.ts",
  ),
  progress: at<typeof import("./images/progress.ts")>("core/images/progress.ts"),
  registriesConf: at<typeof import("./images/registry/registries_conf.ts")>(
    "core/images/registry/registries_conf.ts",
  ),
  registryCache: at<typeof import("./build/registry_cache.ts")>("core/build/registry_cache.ts"),
  registryPull: at<typeof import("./images/registry/pull.ts")>("core/images/registry/pull.ts"),
  registryToml: at<typeof import("./images/registry/toml.ts")>("core/images/registry/toml.ts"),
  rootSteps: at<typeof import("./build/dockerfile/root_steps.ts")>(
    "core/build/dockerfile/root_steps.ts",
  ),
  sha256: at<typeof import("./sha256.ts")>("core/sha256.ts"),
  spawnContainer: at<typeof import("./runtime/spawn_container.ts")>(
    "core/runtime/spawn_container.ts",
  ),
  storeLock: at<typeof import("./store/lock.ts")>("core/store/lock.ts"),
  tagCommand: at<typeof import("./cmd/tag.ts")>("core/cmd/tag.ts"),
  urlKey: at<typeof import("./images/tarball/url_key.ts")>("core/images/tarball/url_key.ts"),
  userNamespace: at<typeof import("./runtime/user_namespace.ts")>(
    "core/runtime/user_namespace.ts",
  ),
};

/** The short name of a module in {@linkcode LAZY_MODULES}. */
export type LazyModuleName = keyof typeof LAZY_MODULES;
/** The type of the module called `Name`. */
type ModuleOf<Name extends LazyModuleName> = (typeof LAZY_MODULES)[Name] extends
  LazyPath<infer Module> ? Module : never;

/**
 * The module called `name` in {@linkcode LAZY_MODULES}, loaded on first use.
 *
 * @example
 * ```ts
 * import { lazyImport } from "./lazy_import.ts";
 *
 * const { sha256Hex } = await lazyImport("sha256");
 * ```
 */
export function lazyImport<Name extends LazyModuleName>(name: Name): Promise<ModuleOf<Name>> {
  return importFromRoot(LAZY_MODULES[name]);
}

/**
 * The module at `path` from the project's root (`core/cmd/run.ts`), or a
 * `node:` module, for a loader whose modules are listed in a table of their
 * own (the commands, in `core/cli/commands/mod.ts`). Prefer {@linkcode lazyImport}.
 *
 * @example
 * ```ts
 * import { importFromRoot } from "./lazy_import.ts";
 *
 * const { sha256Hex } = await importFromRoot<typeof import("./sha256.ts")>("core/sha256.ts");
 * ```
 */
export function importFromRoot<T>(path: string): Promise<T> {
  if (path.startsWith("node:")) return import(path);
  // The table's paths are plain relative ones (`core/cmd/run.ts`): appended, they resolve.
  return import(ROOT + (FROM_SOURCES ? path : path.replace(/\.ts$/, ".js")));
}
