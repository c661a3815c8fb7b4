/**
 * The library's checks, as CI runs them (`deno task library`, part of
 * `npm test`): `deno doc --lint` on each entry deno.json exports and an
 * example on each of their exports, `deno check --doc` and `deno test --doc`
 * on every module of the library (every example runs), and
 * `deno publish --dry-run`.
 * The examples run as the caller: as root they mount and run containers.
 *
 * @module
 */

const ROOT = new URL("..", import.meta.url).pathname;
const DENO = Deno.execPath();
/** The library's modules, from the project's root: every example in them is checked and run. */
const MODULES = ["mod.ts", "core/", "ffi/"];

/** The files deno.json exports, from the project's root: `./mod.ts`, `./core/store/mod.ts`... */
function entries(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  return Object.values(config.exports as Record<string, string>);
}

/** The names `entry` exports whose documentation shows no example. */
async function withoutExample(entry: string): Promise<string[]> {
  const { stdout } = await new Deno.Command(DENO, { args: ["doc", "--json", entry], cwd: ROOT })
    .output();
  const doc = JSON.parse(new TextDecoder().decode(stdout));
  const symbols: { name: string; declarations: { jsDoc?: { tags?: { kind: string }[] } }[] }[] =
    Object.values(doc.nodes as Record<string, { symbols: never[] }>)[0].symbols;
  return symbols.filter(({ declarations }) =>
    !declarations.some((declaration) =>
      declaration.jsDoc?.tags?.some((tag) => tag.kind === "example")
    )
  ).map(({ name }) => name);
}

/** Runs `deno ARGS...` in the project's root; exits with its status when it fails. */
async function deno(args: string[], env: Record<string, string> = {}): Promise<void> {
  console.log(`$ deno ${args.join(" ")}`);
  const { code } = await new Deno.Command(DENO, { args, cwd: ROOT, env }).spawn().status;
  if (code !== 0) Deno.exit(code);
}

const exported = entries();
for (const entry of exported) {
  await deno(["doc", "--lint", entry]);
  const missing = await withoutExample(entry);
  if (missing.length) {
    console.error(`${entry}: no @example on ${missing.join(", ")}`);
    Deno.exit(1);
  }
}
await deno(["check", "--quiet", "--doc", ...MODULES]);
// A store no example may use: each makes its own in a temp dir, in a TMPDIR of their own
// that they must leave empty.
const scratch = Deno.makeTempDirSync();
try {
  Deno.mkdirSync(`${scratch}/tmp`);
  await deno(["test", "--quiet", "-A", "--doc", ...MODULES], {
    PLASH_DATA: `${scratch}/no-store`,
    TMPDIR: `${scratch}/tmp`,
  });
  const left = [...Deno.readDirSync(`${scratch}/tmp`)].map((entry) => entry.name);
  if (left.length) {
    console.error(`the examples left ${left.join(", ")} in their TMPDIR`);
    Deno.exit(1);
  }
} finally {
  Deno.removeSync(scratch, { recursive: true });
}
await deno(["publish", "--quiet", "--dry-run", "--allow-dirty"]);
