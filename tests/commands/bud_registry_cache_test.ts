import assert from "node:assert/strict";
import { bud, writeContext } from "../support/bud.ts";
import { TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/temp_dirs.ts";

Deno.test({
  name: "bud --cache-to puts each layer in a registry, and --cache-from elsewhere runs none",
  ignore: !HAVE_REGISTRY,
}, async () => {
  await using registry = await TestRegistry.start();
  using dirs = new TempDirs();
  const cache = `${registry.host}/bud-cache`;
  const context = dirs.make("plash-bud-cache-");
  const dockerfile = (base: string) =>
    writeContext(context, {
      "a.txt": "a\n",
      Dockerfile:
        `FROM ${base}\nENV A=1\nCOPY a.txt /a.txt\nRUN echo ran-the-step > /ran; echo "$((6 * 7)) said the step" >&2\nCMD ["cat", "/ran"]\n`,
    });
  using first = new TestStore();
  dockerfile(await first.busybox());
  const built = await bud(first, ["--cache-to", cache, context]);
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stderr, /^42 said the step$/m);
  // Another machine: the same base, imported again, and an empty store.
  using second = new TestStore();
  Deno.removeSync(`${context}/Dockerfile`);
  dockerfile(await second.busybox());
  const pulled = await bud(second, ["--cache-from", cache, context]);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.doesNotMatch(pulled.stderr, /^42 said/m, "the RUN came from the registry");
  const id = pulled.stdout.trim();
  assert.equal(await second.ok(["run", id]), "ran-the-step");
  assert.equal(await second.ok(["run", id, "cat", "/a.txt"]), "a");
  const config = JSON.parse(await second.ok(["inspect", "--json", id]))[0].config;
  assert.equal(config.env.A, "1");
});
