import assert from "node:assert/strict";
import { runCommand } from "./support/command.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const COMPILE = ["run", "-A", `${ROOT}scripts/compile.ts`];

/** The build writes dist/ into the project, which the rootless suite's users may not. */
const ignore = Deno.uid() !== 0;

function distExists(): boolean {
  try {
    Deno.statSync(`${ROOT}dist/plash`);
    return true;
  } catch {
    return false;
  }
}

Deno.test(
  "compile without denort says so in one line and leaves no binary",
  { ignore },
  async () => {
    if (distExists()) return; // a developer's own build: leave it alone
    const result = await runCommand(Deno.execPath(), COMPILE, { env: { DENORT_BIN: "" } });
    if (result.code === 0) {
      // A machine that reaches Deno's host gets a real binary.
      const version = await runCommand(`${ROOT}dist/plash`, ["version"]);
      assert.match(new TextDecoder().decode(version.stdout), /^plash /);
      Deno.removeSync(`${ROOT}dist`, { recursive: true });
      return;
    }
    assert.equal(
      result.stderr,
      "plash error: deno compile needs the denort runtime binary, which could not be downloaded " +
        "here; set DENORT_BIN to a denort 2.9.6 binary\n",
    );
    assert.ok(!distExists());
  },
);

Deno.test("compile honors DENORT_BIN", { ignore }, async () => {
  if (distExists()) return;
  const missing = await runCommand(Deno.execPath(), COMPILE, {
    env: { DENORT_BIN: "/nonexistent/denort" },
  });
  assert.equal(missing.code, 1);
  assert.equal(
    missing.stderr,
    "plash error: DENORT_BIN=/nonexistent/denort: no such file (it must name a denort executable)\n",
  );
  // Any executable stands in for denort here: deno compile takes it instead of downloading.
  const base = await Deno.makeTempFile();
  Deno.copyFileSync("/bin/true", base);
  try {
    const built = await runCommand(Deno.execPath(), [...COMPILE, "--no-check"], {
      env: { DENORT_BIN: base },
    });
    assert.equal(built.code, 0, built.stderr);
    assert.ok(distExists());
  } finally {
    Deno.removeSync(base);
    Deno.removeSync(`${ROOT}dist`, { recursive: true });
  }
});
