import assert from "node:assert/strict";
import { expandWord, splitWords } from "../../core/build/dockerfile/words.ts";
import { parseDockerfile } from "../../core/build/dockerfile/parse.ts";
import { IgnoreRules } from "../../core/build/dockerfile/ignore_rules.ts";

const vars = { PWD: "/home", SHELL: "bash", EMPTY: "" };

Deno.test("expandWord follows BuildKit's shell lexer (its envVarTest cases)", () => {
  const cases: [string, string][] = [
    ["hello", "hello"],
    ["he'll'o", "hello"],
    ["he'llo", "error"],
    ["he\\'llo", "he'llo"],
    ['he\\\\"llo"', "he\\llo"],
    ["abc\\\\def", "abc\\def"],
    ['"hello"', "hello"],
    ['"he\\"llo"', 'he"llo'],
    ['"he\\\\llo"', "he\\llo"],
    ['"he\\nllo"', "he\\nllo"],
    ["'he\\nllo'", "he\\nllo"],
    ["$PWD", "/home"],
    ["${PWD}", "/home"],
    ["'$PWD'", "$PWD"],
    ['"$PWD"', "/home"],
    ["\\$PWD", "$PWD"],
    ["he$PWD", "he/home"],
    ["he${PWD}x", "he/homex"],
    ["${PWD:-xxx}", "/home"],
    ["${NOPE:-xxx}", "xxx"],
    ["${EMPTY:-xxx}", "xxx"],
    ["${EMPTY-xxx}", ""],
    ["${NOPE-xxx}", "xxx"],
    ["${PWD:+xxx}", "xxx"],
    ["${NOPE:+xxx}", ""],
    ["${EMPTY+xxx}", "xxx"],
    ["${NOPE:-${SHELL}}", "bash"],
    ["$", "$"],
    ["$1x", "x"],
    ["a$-b", "a$-b"],
    ["${PWD", "error"],
    ["${NOPE:?must be set}", "error"],
    ["\\", ""],
  ];
  for (const [input, expected] of cases) {
    if (expected === "error") {
      assert.throws(() => expandWord(input, vars, "\\"), input);
    } else {
      assert.equal(expandWord(input, vars, "\\"), expected, input);
    }
  }
  assert.equal(expandWord("a`$PWD", vars, "`"), "a$PWD", "# escape=` escapes with `");
});

Deno.test("splitWords keeps quoted white space in one word, as ENV and LABEL need", () => {
  assert.deepEqual(splitWords(`a=1  b="2 3" c='4 5' d=6\\ 7`, "\\"), [
    "a=1",
    `b="2 3"`,
    `c='4 5'`,
    "d=6\\ 7",
  ]);
});

Deno.test("the parser joins continuations, reads # escape= and exec form, and names FILE:LINE", () => {
  const { escape, instructions } = parseDockerfile(
    '# escape=`\nFROM x\n# a comment\nRUN echo a `\n  b\nCMD ["a", "b c"]\n',
    "Dockerfile",
  );
  assert.equal(escape, "`");
  assert.deepEqual(instructions.map((i) => [i.keyword, i.line]), [["FROM", 2], ["RUN", 4], [
    "CMD",
    6,
  ]]);
  assert.match(instructions[1].args, /^echo a\s+b$/);
  assert.deepEqual(instructions[2].json, ["a", "b c"]);
  assert.throws(
    () => parseDockerfile("FROM x\nRUNN y\n", "F"),
    /^.*F:2: unknown instruction: RUNN$/,
  );
});

Deno.test("ignore rules follow docker's patternmatcher: **, !, directories and the last match", () => {
  const rules = new IgnoreRules([
    "# a comment",
    "*.log",
    "!keep.log",
    "build/",
    "**/*.tmp",
    "docs/**",
    "!docs/README.md",
    "/abs",
    "[ab]?.txt",
  ]);
  const cases: [string, boolean][] = [
    ["a.log", true],
    ["keep.log", false],
    ["sub/a.log", false],
    ["build", true],
    ["build/out/x", true],
    ["x.tmp", true],
    ["deep/er/x.tmp", true],
    ["docs/a", true],
    ["docs/README.md", false],
    ["abs", true],
    ["a1.txt", true],
    ["c1.txt", false],
    ["src/main.ts", false],
  ];
  for (const [path, excluded] of cases) assert.equal(rules.excludes(path), excluded, path);
  assert.ok(rules.hasExceptions);
});
