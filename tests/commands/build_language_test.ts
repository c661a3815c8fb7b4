import assert from "node:assert/strict";
import { plashfileLines, tokenize } from "../../core/build/tokenize.ts";
import { shellQuote } from "../../core/build/shell_quote.ts";
import { planBuild } from "../../core/build/evaluate.ts";
import { MACROS } from "../../core/build/macros.ts";
import { oneLineError, TestStore } from "../support/plash.ts";

Deno.test("tokenize: macros, arguments, combined short flags, escapes and comments", () => {
  assert.deepEqual(tokenize(["-Ax", "echo hi", "touch /a", "--env LANG TERM", "--\\ -c", "--\\"]), [
    { name: "-A", args: [] },
    { name: "-x", args: ["echo hi", "touch /a"] },
    { name: "--env", args: ["LANG", "TERM", "-c", ""] },
  ]);
  assert.deepEqual(tokenize(["-f", "1", "--#", "a", "comment", "--#x", "-", ""]), [
    { name: "-f", args: ["1"] },
    { name: "--#", args: ["a", "comment"] },
    { name: "--#", args: ["-"] },
  ]);
  assert.throws(
    () => tokenize(["echo"]),
    /expected a macro \(like --run\) before the argument: echo/,
  );
});

Deno.test("plashfileLines drops the #! line and comment lines, keeping the rest in order", () => {
  const text = "#!/usr/bin/env plash\n--from 1\n--# note\n--write-file /f\na\n--# between\nb\n";
  assert.deepEqual(plashfileLines(text), ["--from 1", "--write-file /f", "a", "b", ""]);
  assert.deepEqual(plashfileLines(text.replaceAll("\n", "\r\n")), plashfileLines(text));
  assert.deepEqual(tokenize(plashfileLines(text)), [
    { name: "--from", args: ["1"] },
    { name: "--write-file", args: ["/f", "a", "b"] },
  ]);
});

Deno.test("shellQuote leaves plain words alone and quotes the rest", () => {
  assert.equal(shellQuote("jq"), "jq");
  assert.equal(shellQuote("a/b-c_1.2+x:y=z@%"), "a/b-c_1.2+x:y=z@%");
  assert.equal(shellQuote(""), "''");
  assert.equal(shellQuote("a b"), "'a b'");
  assert.equal(shellQuote("it's $HOME"), `'it'"'"'s $HOME'`);
});

Deno.test("planBuild groups steps into layers at --layer and drops empty ones", () => {
  const plan = planBuild([
    { kind: "layer" },
    { kind: "script", text: "a" },
    { kind: "base", id: 3 },
    { kind: "layer" },
    { kind: "layer" },
    { kind: "hint", name: "env", value: { A: "1" }, config: { env: { A: "1" } } },
    { kind: "hint", name: "env", value: { B: "2" }, config: { env: { B: "2" } } },
  ]);
  assert.equal(plan.base, 3);
  assert.deepEqual(plan.layers.map((layer) => [layer.text, layer.runs]), [
    ["a\n", true],
    ['### plash hint: env={"A":"1"}\n### plash hint: env={"B":"2"}\n', false],
  ]);
  assert.deepEqual(plan.layers[1].config.env, { A: "1", B: "2" });
  assert.throws(() => planBuild([{ kind: "script", text: "a" }]), /no base image/);
  assert.throws(
    () => planBuild([{ kind: "base", id: 1 }, { kind: "base", id: 2 }]),
    /more than one base image: 1, 2/,
  );
});

Deno.test("plash eval prints each macro's script and hints", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const tree = Deno.makeTempDirSync();
  Deno.writeTextFileSync(`${tree}/file`, "content\n");
  try {
    const cases: [string[], string | RegExp][] = [
      [["-f", base], `### plash hint: image=${base}\n`],
      [["--from-id", base], `### plash hint: image=${base}\n`],
      [["-x", "echo a", "echo b"], "echo a\necho b\n"],
      [["--run", "true"], "true\n"],
      [["-l"], "### plash hint: layer\n"],
      [["--layer"], "### plash hint: layer\n"],
      [
        ["--apt", "jq", "a b"],
        "apt-get update\napt-get install -y 'jq' 'a b'\n",
      ],
      [["--apt"], ""],
      [["--apk", "git"], "apk update\napk add 'git'\n"],
      [["--dnf", "git"], "dnf install -y 'git'\n"],
      [["--yum", "git"], "yum install -y 'git'\n"],
      [["--pacman", "git"], "pacman -Sy --noconfirm 'git'\n"],
      [["--emerge", "git"], "emerge 'git'\n"],
      [["--pip", "requests"], "pip install 'requests'\n"],
      [["--pip3", "requests"], "pip3 install 'requests'\n"],
      [["--npm", "left-pad"], "npm install -g 'left-pad'\n"],
      [
        ["--env", "A=1 2", "TERM"],
        '### plash hint: env={"A":"1 2"}\n### plash hint: pass-env="TERM"\n',
      ],
      [["--env-prefix", "LC_"], '### plash hint: env-prefix="LC_"\n'],
      [
        ["--mount", "/srv", "/a:/b"],
        [
          '### plash hint: mount={"source":"/srv","target":"/srv"}',
          '### plash hint: mount={"source":"/a","target":"/b"}',
          "",
        ].join("\n"),
      ],
      [["--entrypoint", "/bin/echo", "hi"], '### plash hint: entrypoint=["/bin/echo","hi"]\n'],
      [
        ["--entrypoint-script", "echo hi"],
        [
          "printf '%s\\n' '#!/bin/sh' 'echo hi' > /.plash-image/entrypoint",
          "chmod 755 /.plash-image/entrypoint",
          '### plash hint: entrypoint=["/entrypoint"]',
          "",
        ].join("\n"),
      ],
      [
        ["--entrypoint-script", "#!/bin/busybox sh", "echo hi"],
        /^printf '%s\\n' '#!\/bin\/busybox sh' 'echo hi' > \/.plash-image\/entrypoint\n/,
      ],
      [["--write-file", "/f", "a", "it's"], `printf '%s\\n' a 'it'"'"'s' > /.plash-image/f\n`],
      [["--write-file", "/empty"], ": > /.plash-image/empty\n"],
      [
        ["--write-script", "/s", "echo"],
        "printf '%s\\n' echo > /.plash-image/s\nchmod 755 /.plash-image/s\n",
      ],
      [
        ["--import-env", "MY_VAR", "MY_VAR:OTHER", "UNSET_VAR"],
        [
          "export MY_VAR='a b'",
          "export OTHER='a b'",
          "",
        ].join("\n"),
      ],
      [
        ["--hash-path", tree],
        new RegExp(`^### plash hint: hash-path=\\["${tree}","[0-9a-f]{64}"\\]\n$`),
      ],
      [["--invalidate-layer"], /^### plash hint: invalidate="[0-9a-f-]{36}"\n$/],
      [["--#", "a", "comment"], ""],
      [["-f", base, "-lx", "a"], `### plash hint: image=${base}\n### plash hint: layer\na\n`],
    ];
    for (const [args, expected] of cases) {
      const result = await store.plash(["eval", ...args], { env: { MY_VAR: "a b" } });
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
      if (typeof expected === "string") assert.equal(result.stdout, expected, args.join(" "));
      else assert.match(result.stdout, expected, args.join(" "));
    }
  } finally {
    Deno.removeSync(tree, { recursive: true });
  }
});

Deno.test("--eval-file, --eval-stdin and --run-stdin read macros and scripts", async () => {
  using store = new TestStore();
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/macros`, "#!/usr/bin/env plash\n--run\necho from file\n");
    assert.equal(
      await store.ok(["eval", "-x", "a", "--eval-file", `${dir}/macros`, "-x", "b"]),
      "a\necho from file\nb",
    );
    assert.equal(
      await store.ok(["eval", "--eval-stdin"], { stdin: "--run\necho from stdin\n--# c\n" }),
      "echo from stdin",
    );
    assert.equal(
      await store.ok(["eval", "--run-stdin"], { stdin: "echo one\necho two\n" }),
      "echo one\necho two",
    );
    const missing = await store.plash(["eval", "--eval-file", `${dir}/nope`]);
    assert.match(oneLineError(missing), /^plash error: --eval-file: cannot read .*nope: /);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--eval-url reads macros from a URL", async () => {
  using store = new TestStore();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) =>
      new URL(request.url).pathname === "/plashfile"
        ? new Response("--run\necho from url\n")
        : new Response("no", { status: 404 }),
  );
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    assert.equal(await store.ok(["eval", "--eval-url", `${base}/plashfile`]), "echo from url");
    const missing = await store.plash(["eval", "--eval-url", `${base}/missing`]);
    assert.equal(
      oneLineError(missing),
      `plash error: --eval-url: ${base}/missing: HTTP 404 Not Found`,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("--from-map resolves a map key; sources still to come fail in one line", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  await store.ok(["map", "my-base", base]);
  assert.equal(await store.ok(["eval", "--from-map", "my-base"]), `### plash hint: image=${base}`);
  const expected: [string[], string][] = [
    [["--from-map", "nokey"], "plash error: --from-map: no such map key: nokey"],
    [["--from-id", "999"], "plash error: --from-id: no image: 999"],
    [
      ["--from-docker", "127.0.0.1:9/x"],
      "plash error: --from-docker: import-docker 127.0.0.1:9/x:latest: " +
      "http://127.0.0.1:9/v2/x/manifests/latest: cannot connect: " +
      "Fetch failed: Requests to port 9 are blocked",
    ],
  ];
  for (const [args, line] of expected) {
    const result = await store.plash(["eval", ...args]);
    assert.equal(result.code, 1, args.join(" "));
    assert.equal(oneLineError(result), line);
  }
});

Deno.test("every distribution shortcut names a pinned release and its package manager", async () => {
  using store = new TestStore();
  const shortcuts = MACROS.filter((macro) => macro.group === "Shortcuts");
  assert.deepEqual(shortcuts.map((macro) => macro.names[0]), [
    "-A",
    "-U",
    "-F",
    "-D",
    "-C",
    "-R",
    "-G",
  ]);
  for (const macro of shortcuts) {
    assert.match(macro.summary, /^--from \w+:[\w.-]+(:\w+)? --\w+ PACKAGE\.\.\.$/);
  }
  const help = await store.ok(["help-macros"]);
  for (const macro of MACROS) {
    assert.match(
      help,
      new RegExp(`^  ${macro.names.toReversed().join(", ")} .*${escape(macro.summary)}$`, "m"),
    );
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

Deno.test("a layer of config only leaves / as the layer below has it", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const built = await store.ok(["build", "--from", base, "--run", "chmod 700 /"]);
  // A root made long ago: a new layer's root made now would differ from it.
  const below = `${await store.ok(["nodepath", built])}/_data/root`;
  Deno.utimeSync(below, 1_000_000_000, 1_000_000_000);
  const configOnly = await store.ok(["build", "--from", built, "--env", "A=1"]);
  const root = Deno.statSync(`${await store.ok(["nodepath", configOnly])}/_data/root`);
  assert.equal(root.mtime?.getTime(), 1_000_000_000_000);
  assert.equal(root.mode! & 0o7777, 0o700);
});
