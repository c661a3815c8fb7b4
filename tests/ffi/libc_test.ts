import assert from "node:assert/strict";
import { libcAddress } from "../../ffi/libc.ts";

/** The C functions ffi/libc.ts binds: its table's keys, and the `name`s some of them bind as. */
function tableNames(): string[] {
  const source = Deno.readTextFileSync(new URL("../../ffi/libc.ts", import.meta.url));
  const table = source.slice(source.indexOf("const SIGNATURES"), source.indexOf("} as const"));
  const keys = [...table.matchAll(/^ {2}(\w+): \{/gm)].map((match) => match[1]);
  const renamed = [...table.matchAll(/name: "(\w+)"/g)].map((match) => match[1]);
  return [...new Set([...keys, ...renamed])];
}

Deno.test("libcAddress finds each function of the table in the C library, not in deno", () => {
  const names = tableNames();
  assert.ok(names.length > 50 && names.includes("statx") && names.includes("write"));
  for (const name of names) {
    // The C library's own symbol, by a handle of it (null where this libc lacks it).
    const own = Deno.dlopen("libc.so.6", { [name]: { type: "pointer", optional: true } });
    try {
      const expected = Deno.UnsafePointer.value(own.symbols[name] as Deno.PointerValue);
      assert.equal(Deno.UnsafePointer.value(libcAddress(name)), expected, name);
    } finally {
      own.close();
    }
  }
});
