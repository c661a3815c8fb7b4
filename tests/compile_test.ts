import assert from "node:assert/strict";
import { runCommand } from "./support/command.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const COMPILE = ["run", "-A", `${ROOT}scripts/compile.ts`];

/**
 * Runs the compile task into a temporary directory of its own, with an empty
 * Deno cache and every download sent to a closed port: the same outcome on
 * any machine, and the project's own dist/ untouched.
 */
async function compile(env: Record<string, string>, args: string[] = []) {
  const work = Deno.makeTempDirSync({ prefix: "plash-compile-" });
  const dist = `${work}/dist`;
  const result = await runCommand(Deno.execPath(), [...COMPILE, ...args], {
    env: {
      PLASH_DIST_DIR: dist,
      DENO_DIR: `${work}/cache`,
      HTTPS_PROXY: "http://127.0.0.1:9",
      HTTP_PROXY: "http://127.0.0.1:9",
      ...env,
    },
  });
  const made = (() => {
    try {
      return [...Deno.readDirSync(dist)].map((entry) => entry.name);
    } catch {
      return undefined;
    }
  })();
  Deno.removeSync(work, { recursive: true });
  return { ...result, made };
}

Deno.test("compile without denort says so in one line and leaves no binary", async () => {
  const result = await compile({ DENORT_BIN: "" });
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    "plash error: deno compile needs the denort runtime binary, which could not be downloaded " +
      `here; set DENORT_BIN to a denort ${Deno.version.deno} binary\n`,
  );
  assert.equal(result.made, undefined, "the output directory it made is gone again");
});

Deno.test("compile honors DENORT_BIN", async () => {
  const missing = await compile({ DENORT_BIN: "/nonexistent/denort" });
  assert.equal(missing.code, 1);
  assert.equal(
    missing.stderr,
    "plash error: DENORT_BIN=/nonexistent/denort: no such file (it must name a denort executable)\n",
  );
  // Any executable stands in for denort here: deno compile takes it instead of downloading.
  const base = await Deno.makeTempFile();
  Deno.copyFileSync("/bin/true", base);
  try {
    const built = await compile({ DENORT_BIN: base }, ["--no-check"]);
    assert.equal(built.code, 0, built.stderr);
    assert.deepEqual(built.made, ["plash"]);
  } finally {
    Deno.removeSync(base);
  }
});
