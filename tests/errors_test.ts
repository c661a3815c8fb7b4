import assert from "node:assert/strict";
import { errorLine, errorTrace, PlashError, reason, wrap } from "../core/errors.ts";
import { oneLineError, TestStore } from "./support/plash.ts";

Deno.test("wrap says where, keeps the cause and the exit status", () => {
  const usage = new PlashError("usage: plash run ID", { exitCode: 2 });
  const wrapped = wrap(usage, "b");
  assert.equal(wrapped.message, "b: usage: plash run ID");
  assert.equal(wrapped.exitCode, 2);
  assert.equal(wrapped.cause, usage);
  const twice = wrap(wrapped, "exec Plashfile");
  assert.equal(twice.exitCode, 2);
  assert.equal(errorLine(twice), "plash error: exec Plashfile: b: usage: plash run ID");
  assert.equal(wrap(new Error("boom\nsecond line"), "x").exitCode, 1);
});

Deno.test("an error's first line, and a foreign error's cause, make the one line", () => {
  assert.equal(reason(new Error("first\nsecond")), "first");
  const fetchFailed = new TypeError("fetch failed", { cause: new Error("connection refused") });
  assert.equal(reason(fetchFailed), "fetch failed: connection refused");
  // plash's own wrapped errors already carry their cause's words.
  assert.equal(reason(wrap(fetchFailed, "GET /")), "GET /: fetch failed: connection refused");
});

Deno.test("errorTrace prints the chain, outermost first", () => {
  const trace = errorTrace(wrap(wrap(new Error("root cause"), "middle"), "outer"));
  const parts = trace.split("\ncaused by: ");
  assert.equal(parts.length, 3);
  assert.match(parts[0], /^PlashError: outer: middle: root cause/);
  assert.match(parts[2], /^Error: root cause/);
});

Deno.test("PLASH_TRACE=1 prints the cause chain below the one line", async () => {
  using store = new TestStore();
  const plain = await store.plash(["import-tar", "/nonexistent.tar"]);
  assert.equal(oneLineError(plain), "plash error: import-tar /nonexistent.tar: no such file");
  const traced = await store.plash(["import-tar", "/nonexistent.tar"], {
    env: { PLASH_TRACE: "1" },
  });
  assert.equal(traced.code, 1);
  const [line, ...trace] = traced.stderr.trimEnd().split("\n");
  assert.equal(line, "plash error: import-tar /nonexistent.tar: no such file");
  assert.match(
    trace.join("\n"),
    /^PlashError: import-tar .*\n\s+at .*caused by: PlashError: no such file/s,
  );
});
