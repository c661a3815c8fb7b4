import assert from "node:assert/strict";
import { archiveCommands } from "../../core/cli/commands/archives.ts";
import { buildCommands } from "../../core/cli/commands/build.ts";
import { imageCommands } from "../../core/cli/commands/images.ts";
import { allCommands } from "../../core/cli/commands/mod.ts";
import { otherCommands } from "../../core/cli/commands/other.ts";
import { runningCommands } from "../../core/cli/commands/running.ts";
import { storeCommands } from "../../core/cli/commands/store.ts";
import { VERSION } from "../../core/version.ts";
import { oneLineError, TestStore, usageFailure } from "../support/plash.ts";

Deno.test("plash help lists every command", async () => {
  using store = new TestStore();
  const help = await store.ok(["help"]);
  for (const command of allCommands()) {
    const listed = new RegExp(`^plash ${command.name} `, "m").test(help);
    assert.equal(listed, !command.hidden, command.name);
  }
  assert.equal(await store.ok(["--help"]), help);
  assert.equal(await store.ok(["-h"]), help);
});

Deno.test("the table holds every command of the group files once, each in its group's file", () => {
  const files = {
    Running: runningCommands(),
    Images: imageCommands(),
    Build: buildCommands(),
    Archives: archiveCommands(),
    Store: storeCommands(),
    Other: otherCommands(),
  };
  const declared = Object.entries(files).flatMap(([group, commands]) =>
    commands.map((command) => `${group} ${command.group} ${command.name}`)
  );
  const listed = allCommands().map((command) =>
    `${command.group} ${command.group} ${command.name}`
  );
  assert.deepEqual(listed.toSorted(), declared.toSorted());
  assert.equal(new Set(allCommands()).size, allCommands().length);
});

Deno.test("every command explains itself with help CMD and --help", async () => {
  using store = new TestStore();
  for (const command of allCommands()) {
    const text = await store.ok([command.name, "--help"]);
    assert.match(text, new RegExp(`^usage: plash ${command.name}`), command.name);
    assert.equal(await store.ok(["help", command.name]), text);
  }
});

Deno.test("version names plash's and deno's versions and the architecture", async () => {
  using store = new TestStore();
  assert.equal(
    await store.ok(["version"]),
    `plash ${VERSION} (deno ${Deno.version.deno}, linux ${Deno.build.arch})`,
  );
});

Deno.test("an unknown command points to plash help", async () => {
  using store = new TestStore();
  const result = await store.plash(["frobnicate"]);
  assert.equal(result.code, 1);
  assert.equal(oneLineError(result), "plash error: no such command: frobnicate (try `plash help`)");
});

Deno.test("wrong arguments give the usage line and exit 1", async () => {
  using store = new TestStore();
  for (const args of [["nodepath"], ["map"], ["parent", "1", "2"], ["ls", "--yaml"]]) {
    const line = usageFailure(await store.plash(args));
    assert.match(line, new RegExp(`^usage: plash ${args[0]}`), args.join(" "));
  }
});

Deno.test("store commands work end to end through the CLI", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const child = await store.ok(["create", base, "touch", "/child"]);
  assert.equal(await store.ok(["nodepath", child]), `${store.data}/layer/0/${base}/${child}`);
  assert.equal(await store.ok(["map", "web", child]), "");
  assert.equal(await store.ok(["map", "web"]), child);
  const listing = await store.ok(["ls"]);
  assert.match(
    listing,
    new RegExp(`^${child}\\s+${base}\\s+\\S+\\s+\\S+\\s+\\S+ \\S+\\s+web$`, "m"),
  );
  const json = JSON.parse(await store.ok(["ls", "--json"]));
  assert.deepEqual(json.map((image: { id: number }) => image.id), [Number(base), Number(child)]);
  await store.ok(["rm", base]);
  assert.equal(await store.ok(["map", "web"]), "");
  assert.equal(
    oneLineError(await store.plash(["nodepath", child])),
    `plash error: no image: ${child}`,
  );
  const tmp = await store.ok(["mkdtemp"]);
  assert.match(tmp, new RegExp(`^${store.data}/tmp/plashtmp_\\d+_\\d+_\\d+$`));
  const refused = await store.plash(["purge"]);
  assert.match(oneLineError(refused), /purge not confirmed: nothing deleted/);
  await store.ok(["purge", "--yes"]);
  assert.deepEqual([...Deno.readDirSync(store.data)], []);
});
