/**
 * `--device` and `--cdi-spec-dir` on the command line (run, runc, bundle)
 * and in the build language (the `--device` macro into the image config),
 * and the CDI devices `plash doctor` lists. What happens in the container
 * is tests/commands/devices_in_containers_test.ts's.
 */

import assert from "node:assert/strict";
import { runOptionsFrom } from "../../core/cli/commands/parse_run_options.ts";
import { oneLineError, TestStore, usageFailure } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";

Deno.test("--device and --cdi-spec-dir are read into the run options, relative dirs from cwd", () => {
  const given: Record<string, string[]> = {
    device: ["vendor.com/gpu=all", "/dev/null:/dev/n:rw", "/dev/fuse"],
    "cdi-spec-dir": ["/etc/cdi", "specs", "./more"],
  };
  const options = runOptionsFrom((name) => given[name] ?? [], "/work");
  assert.deepEqual(options.devices, given.device);
  assert.deepEqual(options.cdiSpecDirs, ["/etc/cdi", "/work/specs", "/work/./more"]);
  assert.deepEqual(runOptionsFrom(() => [], "/"), {});
});

Deno.test("a malformed --device fails run, runc and bundle in one line, before anything", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const id = await store.busybox();
  const cases: [string, RegExp][] = [
    [
      "gpu",
      /--device gpu: neither a CDI name \(vendor\.com\/class=name\) nor an absolute host path/,
    ],
    ["vendor.com=x", /--device vendor\.com=x: kind "vendor\.com" must be vendor\.com\/class/],
    ["vendor.com/gpu=-1", /device name "-1" must be letters/],
    ["/dev/null:/dev/n:rx", /--device \/dev\/null:\/dev\/n:rx: not \/dev\/HOST/],
    ["/dev/null:dev/n:r", /the container path must be absolute/],
  ];
  for (const [device, expected] of cases) {
    for (const command of ["run", "runc", "bundle"]) {
      const bundle = `${temp.make()}/bundle`;
      const args = command === "bundle"
        ? ["bundle", "--copy", "--device", device, id, bundle, "true"]
        : [command, "--device", device, id, "touch", "/ran"];
      const result = await store.plash(args);
      assert.notEqual(result.code, 0, `${command} --device ${device}`);
      assert.match(oneLineError(result), expected);
      // Nothing made: no bundle directory.
      assert.throws(() => Deno.statSync(bundle), Deno.errors.NotFound);
    }
  }
  // An option without its value is a usage error.
  assert.match(usageFailure(await store.plash(["run", "--device"])), /^usage: plash run /);
  assert.match(usageFailure(await store.plash(["run", "--cdi-spec-dir"])), /^usage: plash run /);
});

Deno.test("the --device macro puts devices in the image config; the cache key changes", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const one = await store.ok([
    "build",
    "--from",
    base,
    "--device",
    "vendor.com/gpu=0",
    "/dev/null",
  ]);
  const config = (id: string) =>
    store.ok(["inspect", "--json", id]).then((text) => JSON.parse(text)[0].config);
  assert.deepEqual((await config(one)).devices, ["vendor.com/gpu=0", "/dev/null"]);
  assert.equal(
    await store.ok(["build", "--from", base, "--device", "vendor.com/gpu=0", "/dev/null"]),
    one,
  );
  const other = await store.ok(["build", "--from", base, "--device", "vendor.com/gpu=1"]);
  assert.notEqual(other, one);
  // A later layer adds to the set; a name given twice is kept once.
  const child = await store.ok([
    "build",
    "--from",
    one,
    "--device",
    "vendor.com/gpu=0",
    "vendor.com/gpu=1",
  ]);
  assert.deepEqual((await config(child)).devices, [
    "vendor.com/gpu=0",
    "/dev/null",
    "vendor.com/gpu=1",
  ]);
  assert.equal(
    await store.ok(["eval", "--device", "vendor.com/gpu=all"]),
    '### plash hint: device="vendor.com/gpu=all"',
  );
  // The base has none: its config is unchanged.
  assert.equal((await config(base)).devices, undefined);
  const bad = await store.plash(["build", "--from", base, "--device", "gpu"]);
  assert.match(oneLineError(bad), /--device gpu: neither a CDI name/);
});

Deno.test("plash doctor lists the CDI devices of the spec directories and the specs refused", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const dir = temp.make();
  Deno.writeTextFileSync(
    `${dir}/vendor.json`,
    JSON.stringify({
      cdiVersion: "0.5.0",
      kind: "vendor.com/gpu",
      devices: [{ name: "0", containerEdits: { env: ["A=1"] } }],
    }),
  );
  const listed = (checks: { name: string; ok: boolean; detail: string }[]) =>
    checks.find((check) => check.name === "CDI devices")!;
  const good = listed(JSON.parse(await store.ok(["doctor", "--json", "--cdi-spec-dir", dir])));
  assert.deepEqual(good, {
    name: "CDI devices",
    ok: true,
    required: false,
    detail: `vendor.com/gpu=0 (in ${dir})`,
    fix: null,
  });
  Deno.writeTextFileSync(`${dir}/broken.json`, '{"cdiVersion": "0.2.0"}');
  const text = await store.plash(["doctor", "--cdi-spec-dir", dir]);
  assert.match(
    text.stdout,
    new RegExp(
      `^warn  CDI devices: vendor\\.com/gpu=0 \\(in ${dir}\\); CDI spec ${dir}/broken\\.json: cdiVersion 0\\.2\\.0 is not one plash reads`,
      "m",
    ),
  );
});
