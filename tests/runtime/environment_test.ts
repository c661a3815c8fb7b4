import assert from "node:assert/strict";
import { containerSpec, thisHost } from "../../core/runtime/container_spec.ts";
import { processEnvironment } from "../../core/runtime/environment.ts";
import { Store } from "../../core/store/store.ts";
import { TempDirs } from "../support/temp_dirs.ts";

Deno.test("processEnvironment reads this process's variables as a record does, when asked", () => {
  Deno.env.set("PLASH_TEST_LAZY", "one");
  try {
    const env = processEnvironment();
    assert.equal(env.PLASH_TEST_LAZY, "one");
    assert.ok("PLASH_TEST_LAZY" in env);
    // Read when asked, not copied when made.
    Deno.env.set("PLASH_TEST_LAZY", "two");
    assert.equal(env.PLASH_TEST_LAZY, "two");
    assert.deepEqual({ ...env }, { ...Deno.env.toObject() });
    assert.deepEqual(Object.keys(env).sort(), Object.keys(Deno.env.toObject()).sort());
    Deno.env.delete("PLASH_TEST_LAZY");
    assert.equal(env.PLASH_TEST_LAZY, undefined);
    assert.ok(!("PLASH_TEST_LAZY" in env));
    // Names no variable can have are not set, as in a copy; none throws.
    for (const name of ["", "A=B", "A\0B"]) {
      assert.equal(env[name], undefined);
      assert.ok(!(name in env));
    }
  } finally {
    Deno.env.delete("PLASH_TEST_LAZY");
  }
});

Deno.test("a spec on thisHost takes the variables the image and PLASH_EXPORT pass", () => {
  using temp = new TempDirs();
  const store = Store.create(`${temp.make("plash-env-")}/data`);
  const id = store.addLayer(0, store.makeTmpDir(), {
    importEnv: ["PLASH_TEST_NAMED"],
    importEnvPrefixes: ["PLASH_TEST_PRE_"],
  });
  const names = ["PLASH_TEST_NAMED", "PLASH_TEST_PRE_A", "PLASH_TEST_EXPORTED", "PLASH_TEST_NOT"];
  for (const name of names) Deno.env.set(name, name.toLowerCase());
  Deno.env.set("PLASH_EXPORT", "PLASH_TEST_EXPORTED");
  try {
    const spec = containerSpec({
      store,
      id,
      command: ["true"],
      options: { env: ["PLASH_TEST_NOT"] },
    }, thisHost());
    const env = spec.process.env.filter((entry) => entry.startsWith("PLASH_TEST_")).sort();
    assert.deepEqual(env, [
      "PLASH_TEST_EXPORTED=plash_test_exported",
      "PLASH_TEST_NAMED=plash_test_named",
      "PLASH_TEST_NOT=plash_test_not",
      "PLASH_TEST_PRE_A=plash_test_pre_a",
    ]);
    assert.equal(spec.process.cwd[0], Deno.cwd());
  } finally {
    for (const name of [...names, "PLASH_EXPORT"]) Deno.env.delete(name);
  }
});
