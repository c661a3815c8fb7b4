import assert from "node:assert/strict";
import { libcAddress } from "../../ffi/libc.ts";

/**
 * The C functions plash binds: the keys of libc.ts's table and of the modules' own tables
 * (`bindLibc`), and the `name`s some of them bind as.
 */
function tableNames(): string[] {
  const dir = new URL("../../ffi/", import.meta.url);
  const names = new Set<string>();
  for (const entry of Deno.readDirSync(dir)) {
    const source = Deno.readTextFileSync(new URL(entry.name, dir));
    const start = source.indexOf("const SIGNATURES");
    if (start === -1) continue;
    const table = source.slice(start, source.indexOf("} as const", start));
    for (const match of table.matchAll(/^ {2}(\w+): \{/gm)) names.add(match[1]);
    for (const match of table.matchAll(/name: "(\w+)"/g)) names.add(match[1]);
  }
  return [...names];
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
  assert.ok(names.length > 50 && names.includes("statx") && names.includes("waitpid"));
  for (const name of names) {
    const found = Deno.UnsafePointer.value(libcAddress(name));
    // glibc before 2.34 keeps the same calls' cancellable variants in libpthread, which deno
    // links before the C library: those are as good.
    const own = [addressIn("libc.so.6", name), addressIn("libpthread.so.0", name)];
    assert.ok(own.includes(found), `${name}: ${found} is not the C library's ${own[0]}`);
  }
});
