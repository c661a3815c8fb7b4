/**
 * Progress and quiet (issue 14, item 7): per-layer bars with bytes and rate
 * on a terminal, colors unless NO_COLOR, nothing with -q/--quiet; `build -q`
 * without the step traces. One line's form is tests/images/progress_test.ts's.
 */

import assert from "node:assert/strict";
import { busyboxLayer } from "../support/images.ts";
import { image, layer, pushImage } from "../support/oci_image.ts";
import { TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";
import { onTerminal } from "../support/terminal.ts";

// deno-lint-ignore no-control-regex -- the color escapes themselves
const COLOR = /\x1b\[3\dm/;

Deno.test(
  { name: "pulls on a terminal: a bar a layer; NO_COLOR; -q", ignore: !HAVE_REGISTRY },
  async () => {
    await using registry = await TestRegistry.start();
    const img = image([await busyboxLayer(), await layer([{ name: "x", body: "x\n" }])]);
    await pushImage(registry.host, "team/app", "v1", img);
    const ref = `${registry.host}/team/app:v1`;
    const pull = async (args: string[], env: Record<string, string> = {}) => {
      using store = new TestStore();
      const result = await onTerminal(store, ["import-docker", ...args, ref], env);
      assert.equal(result.code, 0, result.stdout);
      return result.stdout;
    };
    const shown = await pull([]);
    assert.match(shown, new RegExp(`pulling ${ref}`));
    for (const each of img.layers) {
      const short = each.digest.slice("sha256:".length, "sha256:".length + 12);
      assert.match(
        shown,
        new RegExp(`${short}  \\[(\\x1b\\[\\d+m)?=+(\\x1b\\[0m)?\\]  \\S+/\\S+  done`),
      );
    }
    assert.match(shown, COLOR);
    const plain = await pull([], { NO_COLOR: "1" });
    assert.match(plain, /\[=+\]/);
    // deno-lint-ignore no-control-regex -- the color escapes themselves
    assert.doesNotMatch(plain, /\x1b\[\d*m/);
    // Quiet: the id alone.
    assert.match(await pull(["-q"]), /^\d+\n$/);
    assert.match(await pull(["--quiet"]), /^\d+\n$/);
  },
);

Deno.test("build -q runs the steps without their traces", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const macros = ["--from-id", base, "--run", "echo hello from the step"];
  const quiet = await store.plash(["build", "-q", ...macros]);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.match(quiet.stderr, /hello from the step/);
  assert.doesNotMatch(quiet.stderr, /-->/);
  // The same layer: found in the cache, quiet or not.
  assert.equal(await store.ok(["build", ...macros]), quiet.stdout.trim());
  const traced = await store.plash(["build", ...macros, "--run", "echo again"]);
  assert.match(traced.stderr, /--> echo again/);
});

Deno.test(
  { name: "pushes on a terminal: a line a layer, as pulls; -q", ignore: !HAVE_REGISTRY },
  async () => {
    await using registry = await TestRegistry.start();
    using store = new TestStore();
    const layer = `${store.data}.layer`;
    Deno.mkdirSync(`${layer}/srv`, { recursive: true });
    Deno.writeTextFileSync(`${layer}/srv/file`, "pushed\n");
    const id = await store.ok(["add-layer", "0", layer]);
    const shown = await onTerminal(store, ["push", id, `${registry.host}/team/shown:1`]);
    assert.equal(shown.code, 0, shown.stdout);
    assert.match(shown.stdout, new RegExp(`pushing ${registry.host}/team/shown:1`));
    // A layer's size is known only once it is packed and compressed: bytes, no bar.
    assert.match(shown.stdout, / {2}layer of image \d+ {2}\S+B {2}done\n/);
    const quiet = await onTerminal(store, ["push", "-q", id, `${registry.host}/team/quiet:1`]);
    assert.equal(quiet.code, 0, quiet.stdout);
    assert.match(quiet.stdout, /^sha256:[0-9a-f]{64}\n$/);
  },
);
