import assert from "node:assert/strict";
import { type Output, runCommand } from "../support/command.ts";
import { Store } from "../../core/store/store.ts";
import {
  AS_ROOT,
  assertStoreUntouched,
  buildArchive,
  freshStore,
  manifest,
  names,
  run,
  writeTemp,
} from "../support/tar_fixtures.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** Runs `plash ARGS...` the way users do, as `deno run -A cli.ts`, with store `data`. */
function plash(data: string, args: string[], stdin?: Uint8Array): Promise<Output> {
  return runCommand(Deno.execPath(), ["run", "-A", CLI, ...args], {
    stdin,
    env: { PLASH_DATA: data },
  });
}

/** Asserts a failure: non-zero exit, nothing on stdout, one `plash error:` line on stderr. */
function assertOneLineError(output: Output, pattern: RegExp): void {
  assert.notEqual(output.code, 0);
  assert.equal(output.stdout.length, 0);
  const lines = output.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, output.stderr);
  assert.match(lines[0], /^plash error: /);
  assert.match(lines[0], pattern);
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A small archive that lists every directory, so that no mtime is the time of extraction. */
function sample(): Promise<Uint8Array> {
  return buildArchive([
    { name: "./", type: "directory", mode: 0o755 },
    { name: "bin/", type: "directory", mode: 0o755 },
    { name: "home/", type: "directory", mode: 0o755 },
    { name: "etc/", type: "directory", mode: 0o755 },
    { name: "etc/os-release", type: "file", mode: 0o644, body: "ID=plash\n" },
    { name: "bin/sh", type: "symlink", linkname: "busybox" },
    { name: "home/u/", type: "directory", mode: 0o700, uid: 1000, gid: 1000 },
  ]);
}

Deno.test(
  "import-tar prints only the id; export-tar and copy give back the same tree",
  AS_ROOT,
  async () => {
    using store = freshStore();
    const { data, dir } = store;
    const archive = writeTemp(dir, "sample.tar", await sample());

    const imported = await plash(data, ["import-tar", archive]);
    assert.equal(imported.stderr, "");
    assert.equal(text(imported.stdout), "1\n");

    const fromStdin = await plash(data, ["import-tar"], await run("gzip", ["-c", archive]));
    assert.equal(text(fromStdin.stdout), "2\n");
    const fromDash = await plash(data, ["import-tar", "-"], Deno.readFileSync(archive));
    assert.equal(text(fromDash.stdout), "3\n");

    const exported = `${dir}/exported.tar`;
    assert.equal((await plash(data, ["export-tar", "1", exported])).code, 0);
    const toStdout = await plash(data, ["export-tar", "1", "-"]);
    assert.equal(toStdout.code, 0);
    assert.deepEqual(toStdout.stdout, Deno.readFileSync(exported));
    assert.equal(text((await plash(data, ["import-tar", exported])).stdout), "4\n");

    const copied = `${dir}/copied`;
    const copy = await plash(data, ["copy", "2", copied]);
    assert.equal(copy.code, 0, copy.stderr);
    assert.equal(copy.stdout.length, 0);
    const tree = manifest(Store.at(data).layer(1));
    for (const id of [2, 3, 4]) assert.deepEqual(manifest(Store.at(data).layer(id)), tree);
    assert.deepEqual(manifest(copied), tree);
    assert.deepEqual(names(`${data}/tmp`), []);
  },
);

Deno.test(
  "import-tar failures are one line, exit non-zero and publish nothing",
  AS_ROOT,
  async () => {
    using store = freshStore();
    const { data, dir } = store;
    const evil = writeTemp(
      dir,
      "evil.tar",
      await buildArchive([{ name: "../evil", type: "file" }]),
    );
    assertOneLineError(await plash(data, ["import-tar", evil]), /evil\.tar: .*"\.\." component/);

    const gz = await run("gzip", ["-c"], await sample());
    gz.fill(0x41, 20, gz.length - 8);
    const corrupt = writeTemp(dir, "corrupt.tar.gz", gz);
    assertOneLineError(await plash(data, ["import-tar", corrupt]), /corrupt gzip data/);

    const plain = await sample();
    const cut = writeTemp(dir, "cut.tar", plain.subarray(0, 700));
    assertOneLineError(await plash(data, ["import-tar", cut]), /cut\.tar: /);
    assertOneLineError(await plash(data, ["import-tar"], plain.subarray(0, 700)), /stdin: /);

    assertOneLineError(await plash(data, ["import-tar", `${dir}/missing.tar`]), /no such file/);
    const usage = await plash(data, ["import-tar", "a", "b"]);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /^usage: plash import-tar .*\n$/);
    assertStoreUntouched(data);
  },
);

Deno.test(
  "export-tar and copy failures are one line and leave no partial output",
  AS_ROOT,
  async () => {
    using store = freshStore();
    const { data, dir } = store;
    assertOneLineError(await plash(data, ["export-tar", "7", `${dir}/out.tar`]), /no image: 7/);
    assertOneLineError(await plash(data, ["copy", "7", `${dir}/out`]), /no image: 7/);
    assert.deepEqual(names(dir), ["data"]);

    const id = text(
      (await plash(data, ["import-tar", writeTemp(dir, "s.tar", await sample())])).stdout,
    )
      .trim();
    // A name that is not UTF-8 cannot be read back through Deno's file APIs:
    // the export fails part way, after some of the archive was written.
    const layer = Store.at(data).layer(Number(id));
    await run("bash", ["-c", 'touch "$1/zz-$(printf "\\377")"', "-", layer]);
    const target = `${dir}/out.tar`;
    Deno.writeTextFileSync(target, "old contents");
    assertOneLineError(await plash(data, ["export-tar", id, target]), /export-tar .*out\.tar: /);
    assert.equal(Deno.readTextFileSync(target), "old contents");
    assert.deepEqual(names(dir), ["data", "out.tar", "s.tar"]);

    const full = `${dir}/full`;
    Deno.mkdirSync(full);
    Deno.writeTextFileSync(`${full}/file`, "");
    assertOneLineError(await plash(data, ["copy", id, full]), /directory not empty/);
    assertOneLineError(await plash(data, ["copy", id, `${dir}/copy`]), /copy to .*copy: /);
    // A DIR that cannot be made is said as the copy's.
    assertOneLineError(
      await plash(data, ["copy", id, `${dir}/missing/copy`]),
      /copy to .*missing\/copy: .*No such file/,
    );
    assert.deepEqual(names(dir), ["data", "full", "out.tar", "s.tar"]);
  },
);
