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

/** The address of `name` in the library `file`, null where it has none. */
function addressIn(file: string, name: string): bigint | number {
  const library = Deno.dlopen(file, { [name]: { type: "pointer", optional: true } });
  try {
    return Deno.UnsafePointer.value(library.symbols[name] as Deno.PointerValue);
  } finally {
    library.close();
  }
}

Deno.test("libcAddress finds each function of the table in the C library, not in deno", () => {
  const names = tableNames();
  assert.ok(names.length > 50 && names.includes("statx") && names.includes("write"));
  for (const name of names) {
    const found = Deno.UnsafePointer.value(libcAddress(name));
    // glibc before 2.34 keeps the same calls' cancellable variants in libpthread, which deno
    // links before the C library: those are as good.
    const own = [addressIn("libc.so.6", name), addressIn("libpthread.so.0", name)];
    assert.ok(own.includes(found), `${name}: ${found} is not the C library's ${own[0]}`);
  }
});
