import assert from "node:assert/strict";
import { allCommands, findCommand } from "../../core/cli/commands/mod.ts";
import { type ArgsSpec, parseArgs, usageLine } from "../../core/cli/parse_args.ts";
import { UsageError } from "../../core/errors.ts";
import { TestStore, usageFailure as cliUsageFailure } from "../support/plash.ts";

const RUN: ArgsSpec = {
  name: "run",
  usage: "ID [CMD...]",
  arity: [1, Infinity],
  optionsFirst: true,
  options: [
    { name: "env", short: "e", value: "NAME=VALUE", multiple: true, help: "set a variable" },
    { name: "changes", value: "DIR", help: "keep changes" },
    { name: "no-tmp", help: "no /tmp" },
  ],
};

function usageFailure(spec: ArgsSpec, argv: string[]): string {
  try {
    parseArgs(spec, argv);
  } catch (error) {
    assert.ok(error instanceof UsageError);
    assert.equal(error.exitCode, 1);
    return error.message;
  }
  throw new Error(`${argv.join(" ")} parsed`);
}

Deno.test("options take every spelling; the command line after the first positional is kept", () => {
  const args = parseArgs(RUN, [
    "-e",
    "A=1",
    "--env=B=2",
    "-eC=3",
    "--changes",
    "/x",
    "--no-tmp",
    "7",
    "ls",
    "--no-tmp",
    "-e",
  ]);
  assert.deepEqual(args.values("env"), ["A=1", "B=2", "C=3"]);
  assert.equal(args.value("changes"), "/x");
  assert.equal(args.flag("no-tmp"), true);
  assert.deepEqual(args.positionals, ["7", "ls", "--no-tmp", "-e"]);
  assert.equal(args.help, false);
});

Deno.test("options may stand anywhere before -- when the command takes no command line", () => {
  const spec: ArgsSpec = {
    name: "import-docker",
    usage: "REF",
    arity: [1, 1],
    options: [{ name: "arch", value: "ARCH", help: "" }],
  };
  assert.equal(parseArgs(spec, ["alpine", "--arch", "arm64"]).value("arch"), "arm64");
  assert.deepEqual(parseArgs(spec, ["--", "-weird"]).positionals, ["-weird"]);
  assert.deepEqual(parseArgs(spec, ["-"]).positionals, ["-"]);
});

Deno.test("wrong usage names what is wrong, with the usage line, exit 1", () => {
  assert.match(
    usageFailure(RUN, ["--bogus", "1"]),
    /^usage: plash run .*\(unknown option --bogus\)$/,
  );
  assert.match(usageFailure(RUN, ["-x", "1"]), /\(unknown option -x\)$/);
  assert.match(usageFailure(RUN, ["--changes"]), /\(--changes needs DIR\)$/);
  assert.match(usageFailure(RUN, ["--no-tmp=yes", "1"]), /\(--no-tmp takes no value\)$/);
  assert.equal(
    usageFailure(RUN, []),
    "usage: plash run [-e|--env NAME=VALUE]... [--changes DIR] [--no-tmp] ID [CMD...]",
  );
  assert.equal(parseArgs(RUN, ["--help"]).help, true);
  assert.equal(parseArgs(RUN, ["1", "--help"]).help, false, "after the image, it is CMD's");
});

Deno.test("raw commands get their words untouched, but still need some", () => {
  const build = findCommand("build")!;
  assert.deepEqual(parseArgs(build, ["-A", "--run", "x"]).positionals, ["-A", "--run", "x"]);
  assert.equal(parseArgs(build, ["--help"]).help, true);
  assert.equal(usageFailure(build, []), "usage: plash build MACRO [ARG...]...");
});

Deno.test("every command's declaration is usable: names unique, arity sane, usage shows options", () => {
  const names = allCommands().map((command) => command.name);
  assert.equal(new Set(names).size, names.length);
  for (const command of allCommands()) {
    const [min, max] = command.arity;
    assert.ok(min >= 0 && max >= min, command.name);
    for (const option of command.options ?? []) {
      assert.ok(
        usageLine(command).includes(`--${option.name}`),
        `${command.name} --${option.name}`,
      );
      assert.ok(option.help.length > 0, `${command.name} --${option.name} has help`);
    }
  }
});

Deno.test("plash CMD --help lists the declared options; unknown ones are usage errors", async () => {
  using store = new TestStore({ init: false });
  const help = await store.ok(["import-docker", "--help"]);
  assert.match(
    help,
    /^usage: plash import-docker \[--arch ARCH\] \[--variant V\] \[--insecure\] \[-q\|--quiet\] REF/,
  );
  assert.match(help, /^ {2}--arch ARCH {2,}the architecture to pull/m);
  assert.equal(
    cliUsageFailure(await store.plash(["ls", "--jsn"])),
    "usage: plash ls [--json] [-a|--all] (unknown option --jsn)",
  );
  // Nothing was needed to say so: no store was made.
  assert.throws(() => Deno.statSync(store.data));
});
