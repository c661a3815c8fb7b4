import assert from "node:assert/strict";
import { runCommand } from "../support/command.ts";
import { STRACE } from "../support/strace.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const COMPILE = ["run", "-A", `${ROOT}scripts/compile.ts`];

/**
 * Runs the compile task into a temporary directory of its own, with an empty
 * Deno cache and every download sent to a closed port: the same outcome on
 * any machine, and the project's own dist/ untouched. `prefix`: a program that
 * runs the task (strace).
 */
async function compile(env: Record<string, string>, args: string[] = [], prefix: string[] = []) {
  const work = Deno.makeTempDirSync({ prefix: "plash-compile-" });
  const dist = `${work}/dist`;
  const [program, ...rest] = [...prefix, Deno.execPath(), ...COMPILE, ...args];
  const result = await runCommand(program, rest, {
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
  const result = await compile({ DENORT_BIN: "", DENORT_BIN_X86_64: "", DENORT_BIN_AARCH64: "" });
  assert.equal(result.code, 1);
  // The first target is x86_64; on an x86_64 machine its denort is DENORT_BIN.
  const variable = Deno.build.arch === "x86_64" ? "DENORT_BIN" : "DENORT_BIN_X86_64";
  assert.equal(
    result.stderr,
    "plash error: deno compile needs the denort runtime binary for x86_64, which could not be " +
      `downloaded here; set ${variable} to a denort ${Deno.version.deno} binary for x86_64\n`,
  );
  assert.equal(result.made, undefined, "the output directory it made is gone again");
});

Deno.test("compile honors DENORT_BIN and builds both targets, or none", async () => {
  const missing = await compile({ DENORT_BIN_AARCH64: "/nonexistent/denort" });
  assert.equal(missing.code, 1);
  assert.equal(
    missing.stderr,
    "plash error: DENORT_BIN_AARCH64=/nonexistent/denort: no such file (it must name a denort " +
      "executable)\n",
  );
  // Any executable stands in for denort here: deno compile takes it instead of downloading.
  const base = await Deno.makeTempFile();
  Deno.copyFileSync("/bin/true", base);
  try {
    // DENORT_BIN is this machine's architecture's; the other one's has a variable of its own.
    const other = Deno.build.arch === "x86_64" ? "DENORT_BIN_AARCH64" : "DENORT_BIN_X86_64";
    const both = { DENORT_BIN: base, [other]: base };
    const built = await compile(both, ["--no-check"]);
    assert.equal(built.code, 0, built.stderr);
    assert.deepEqual(built.made?.sort(), ["plash-linux-aarch64", "plash-linux-x86_64"]);
    // One target asked for: only that one.
    const one = await compile(both, ["aarch64", "--no-check"]);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(one.made, ["plash-linux-aarch64"]);
    // A denort for one target only: the other cannot be downloaded, so neither is kept.
    const half = await compile({ DENORT_BIN_X86_64: base, DENORT_BIN_AARCH64: "" }, ["--no-check"]);
    assert.equal(half.code, 1);
    assert.match(half.stderr, /^plash error: .* for aarch64, .*set DENORT_BIN_AARCH64 to/);
    assert.equal(half.made, undefined);
  } finally {
    Deno.removeSync(base);
  }
});

Deno.test(
  "compile looks at nothing of the project but what the binary is made of",
  { ignore: !STRACE },
  async () => {
    // deno compile looks for node_modules through the directory it runs in, following links:
    // run in the project, it went through tests/ and the fixtures' root trees onto the host.
    const base = await Deno.makeTempFile();
    Deno.copyFileSync("/bin/true", base);
    const trace = await Deno.makeTempFile();
    try {
      const built = await compile({ DENORT_BIN: base }, [
        Deno.build.arch,
        "--no-check",
      ], [STRACE!, "-f", "-qq", "-e", "trace=%file", "-o", trace]);
      assert.equal(built.code, 0, built.stderr);
      const seen = Deno.readTextFileSync(trace).split("\n")
        .filter((line) =>
          /"[^"]*\/(tests|bench|\.fixtures)(\/|")/.test(line) && line.includes(ROOT)
        );
      assert.equal(seen.length, 0, `it looked at:\n${seen.slice(0, 5).join("\n")}`);
    } finally {
      Deno.removeSync(base);
      Deno.removeSync(trace);
    }
  },
);
