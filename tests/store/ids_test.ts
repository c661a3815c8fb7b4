import assert from "node:assert/strict";
import { idFromName, isDigits, parseImageId } from "../../core/store/ids.ts";

/** Texts at the edges of what an id is: other scripts' digits, signs, space, newlines. */
const TEXTS = [
  "",
  "0",
  "00",
  "01",
  "7",
  "42",
  "9007199254740991",
  "9007199254740992",
  "9007199254740993",
  "1e3",
  "-1",
  "+1",
  " 1",
  "1 ",
  "1\n",
  "\n1",
  "1.0",
  "0x1",
  "\u0663", // ARABIC-INDIC DIGIT THREE
  "\uff11", // FULLWIDTH DIGIT ONE
  "1\u0000",
  "a",
];

Deno.test("ids are told by their characters as /^\\d+$/ and /^(0|[1-9]\\d*)$/ tell them", () => {
  for (const text of TEXTS) {
    assert.equal(isDigits(text), /^\d+$/.test(text), JSON.stringify(text));
    const id = /^(0|[1-9]\d*)$/.test(text) && Number.isSafeInteger(Number(text))
      ? Number(text)
      : undefined;
    assert.equal(idFromName(text), id, JSON.stringify(text));
  }
  assert.equal(parseImageId("0042"), 42);
  assert.throws(() => parseImageId("\u0663"), /image arg must be a positive number, got: /);
  assert.throws(() => parseImageId("1\n"), /image arg must be a positive number, got: /);
});
