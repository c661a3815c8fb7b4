/**
 * Completion, the manual and help (issue 14, item 4): the scripts `plash
 * completion` writes really complete under bash (`complete -p`, and the
 * completion function as bash calls it, with `compgen`), load in zsh and
 * complete in fish (`complete -C`); `plash.1` is what the tables make; help
 * columns fit the longest name.
 */

import assert from "node:assert/strict";
import { manPage } from "../../core/cli/manual.ts";
import { allCommands } from "../../core/cli/commands/mod.ts";
import { selfCommand } from "../../core/self_command.ts";
import { shellQuote } from "../../core/build/shell_quote.ts";
import { runCommand } from "../support/command.ts";
import { TestStore, usageFailure } from "../support/plash.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

function installed(program: string): boolean {
  return ["/usr/bin", "/bin"].some((dir) => {
    try {
      return Deno.statSync(`${dir}/${program}`).isFile;
    } catch {
      return false;
    }
  });
}

/** A directory holding a `plash` that runs this checkout, for PATH: the scripts call `plash`. */
function plashOnPath(dir: string): Record<string, string> {
  const bin = `${dir}/bin`;
  Deno.mkdirSync(bin, { recursive: true });
  const command = selfCommand([]).map(shellQuote).join(" ");
  Deno.writeTextFileSync(`${bin}/plash`, `#!/bin/sh\nexec ${command} "$@"\n`, { mode: 0o755 });
  return { PATH: `${bin}:${Deno.env.get("PATH")}` };
}

/** A store with images to complete: 1 and 2, named box, and a pulled alpine:3.20. */
async function storeWithNames(): Promise<{ store: TestStore; env: Record<string, string> }> {
  const store = new TestStore();
  const base = await store.busybox();
  await store.ok(["tag", base, "box"]);
  await store.ok(["map", "docker-ref:docker.io/library/alpine:3.20", base]);
  await store.ok(["create", base, "true"]);
  return { store, env: plashOnPath(store.data.slice(0, -"/data".length)) };
}

Deno.test("bash completes commands, options, macros, files and images from the store", async () => {
  const { store, env } = await storeWithNames();
  using _ = store;
  const script = await store.ok(["completion", "bash"]);
  const file = `${store.data}.bash`;
  Deno.writeTextFileSync(file, script);
  // As bash calls a completion function: COMP_LINE and COMP_POINT, COMP_WORDS split as bash splits.
  const lines = [
    `source ${file}`,
    "complete -p plash",
    't() { COMP_LINE="$1"; COMP_POINT=${#1}; COMP_WORDS=($1); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _plash; echo "$1|${COMPREPLY[*]}"; }',
    ...[
      "plash ru",
      "plash import-docker-",
      "plash export-",
      "plash push --",
      "plash run ",
      "plash run b",
      "plash run alpine:3",
      "plash run --",
      "plash run --changes ",
      "plash import-docker --a",
      "plash completion ",
      "plash build --from-d",
      "plash -A --ap",
      "plash help import-docker-",
      "plash ls -",
      "plash tag box ",
    ].map((line) => `t ${shellQuote(line)}`),
  ];
  const dir = `${store.data}.files`;
  Deno.mkdirSync(`${dir}/sub`, { recursive: true });
  Deno.writeTextFileSync(`${dir}/file`, "");
  lines.push(`cd ${dir}`, `t 'plash copy box s'`, `t 'plash import-tar f'`);
  const result = await runCommand("bash", ["-c", lines.join("\n")], {
    env: { ...env, PLASH_DATA: store.data },
  });
  assert.equal(result.code, 0, result.stderr);
  const [complete, ...answers] = new TextDecoder().decode(result.stdout).trim().split("\n");
  assert.equal(complete, "complete -o filenames -F _plash plash");
  const got = Object.fromEntries(answers.map((line) => line.split("|")));
  assert.equal(got["plash ru"], "run runc");
  assert.equal(got["plash import-docker-"], "import-docker-archive");
  assert.equal(got["plash export-"], "export-tar export-oci export-docker-archive");
  assert.equal(
    got["plash push --"],
    "--insecure --quiet --compress --base --arch --variant --help",
  );
  assert.equal(got["plash run "], "1 2 box docker.io/library/alpine:3.20 alpine:3.20");
  assert.equal(got["plash run b"], "box");
  // bash replaces what follows the ':' only.
  assert.equal(got["plash run alpine:3"], "3.20");
  assert.equal(
    got["plash run --"],
    "--changes --build-step --env --env-file --volume --mount --workdir --user --device --cdi-spec-dir --help",
  );
  assert.equal(got["plash import-docker --a"], "--arch");
  assert.equal(got["plash completion "], "bash zsh fish");
  assert.equal(got["plash build --from-d"], "--from-docker");
  assert.equal(got["plash -A --ap"], "--apt --apk");
  assert.equal(got["plash help import-docker-"], "import-docker-archive");
  assert.equal(got["plash ls -"], "--json --all -a --help");
  assert.equal(got["plash tag box "], "1 2 box docker.io/library/alpine:3.20 alpine:3.20");
  assert.equal(got["plash copy box s"], "sub");
  assert.equal(got["plash import-tar f"], "file");
});

Deno.test({ name: "zsh loads its script", ignore: !installed("zsh") }, async () => {
  using store = new TestStore();
  const file = `${store.data}.zsh`;
  Deno.writeTextFileSync(file, await store.ok(["completion", "zsh"]));
  assert.equal((await runCommand("zsh", ["-n", file])).code, 0);
  const loaded = await runCommand("zsh", [
    "-fc",
    `autoload -U compinit && compinit -u -D && source ${file} && whence -w _plash && echo $_comps[plash]`,
  ], { env: { HOME: store.data.slice(0, -"/data".length), PATH: Deno.env.get("PATH")! } });
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.equal(new TextDecoder().decode(loaded.stdout), "_plash: function\n_plash\n");
});

Deno.test({ name: "fish completes with its script", ignore: !installed("fish") }, async () => {
  const { store, env } = await storeWithNames();
  using _ = store;
  const file = `${store.data}.fish`;
  Deno.writeTextFileSync(file, await store.ok(["completion", "fish"]));
  const complete = async (line: string) => {
    const result = await runCommand("fish", [
      "--no-config",
      "-c",
      `source ${file}; complete -C ${shellQuote(line)}`,
    ], {
      env: { ...env, PLASH_DATA: store.data, HOME: store.data.slice(0, -"/data".length) },
    });
    assert.equal(result.code, 0, result.stderr);
    return new TextDecoder().decode(result.stdout).trim().split("\n").map((each) =>
      each.split("\t")[0]
    );
  };
  assert.deepEqual(await complete("plash import-docker-"), ["import-docker-archive"]);
  assert.deepEqual(await complete("plash import-docker --a"), ["--arch"]);
  const images = await complete("plash inspect ");
  for (const word of ["1", "2", "box", "alpine:3.20"]) {
    assert.ok(images.includes(word), `${word} in ${images}`);
  }
});

Deno.test("completion of an unknown shell is wrong usage", async () => {
  using store = new TestStore({ init: false });
  assert.equal(
    usageFailure(await store.plash(["completion", "tcsh"])),
    "usage: plash completion bash|zsh|fish (no completion for tcsh)",
  );
});

Deno.test("plash.1 is what the command and macro tables make (run `deno task man`)", async () => {
  const page = Deno.readTextFileSync(`${ROOT}plash.1`);
  assert.ok(page === manPage(), "plash.1 is stale: run `deno task man`");
  for (const command of allCommands().filter((each) => !each.hidden)) {
    assert.ok(page.includes(`.B plash ${command.name.replaceAll("-", "\\-")}`), command.name);
  }
  if (installed("groff")) {
    // groff reads it without a warning.
    const result = await runCommand("groff", ["-man", "-ww", "-z", `${ROOT}plash.1`]);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, "");
  }
});

Deno.test("help columns fit the longest name", async () => {
  using store = new TestStore({ init: false });
  const column = (line: string) => line.search(/ {2}\S/) + 2;
  for (const args of [["help"], ["help-macros"]]) {
    const lines = (await store.ok(args)).split("\n").filter((line) => /^(plash| {2}-)/.test(line));
    assert.ok(lines.length > 20);
    const columns = new Set(lines.map(column));
    assert.equal(
      columns.size,
      1,
      `${args}: ${lines.filter((line) => column(line) !== column(lines[0]))}`,
    );
  }
});
