/**
 * The libc functions plash calls.
 *
 * Every call here is synchronous, so it runs on Deno's main thread: namespace
 * and chroot changes made through it apply to the thread that runs JavaScript.
 *
 * Binding a function with `Deno.dlopen` compiles a trampoline for it, about
 * 0.1 ms each: more than the whole of `plash run`'s own work. So each function
 * is looked up with dlsym and bound the first time it is called.
 *
 * The table here holds what every start may call; a function that only some
 * commands call is in a table of the module that calls it
 * ({@linkcode bindLibc}), loaded with that module only.
 *
 * @module
 */

const SIGNATURES = {
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
  mount: { parameters: ["buffer", "buffer", "buffer", "u64", "buffer"], result: "i32" },
  umount2: { parameters: ["buffer", "i32"], result: "i32" },
  unshare: { parameters: ["i32"], result: "i32" },
  chroot: { parameters: ["buffer"], result: "i32" },
  chdir: { parameters: ["buffer"], result: "i32" },
  fchdir: { parameters: ["i32"], result: "i32" },
  access: { parameters: ["buffer", "i32"], result: "i32" },
  execve: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
  // lchown, lsetxattr and chmod: also a rootless import's namespace child's (apply_deferred.ts).
  lchown: { parameters: ["buffer", "u32", "u32"], result: "i32" },
  chmod: { parameters: ["buffer", "u32"], result: "i32" },
  lsetxattr: {
    parameters: ["buffer", "buffer", "buffer", "usize", "i32"],
    result: "i32",
  },
  getppid: { parameters: [], result: "i32" },
  getpid: { parameters: [], result: "i32" },
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  // glibc >= 2.34.
  close_range: { parameters: ["u32", "u32", "i32"], result: "i32" },
  setns: { parameters: ["i32", "i32"], result: "i32" },
  statx: { parameters: ["i32", "buffer", "i32", "u32", "buffer"], result: "i32" },
  fstatfs: { parameters: ["i32", "buffer"], result: "i32" },
  gnu_get_libc_version: { parameters: [], result: "pointer" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  _exit: { parameters: ["i32"], result: "void" },
  geteuid: { parameters: [], result: "u32" },
  capget: { parameters: ["buffer", "buffer"], result: "i32" },
  getegid: { parameters: [], result: "u32" },
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  openat: { parameters: ["i32", "buffer", "i32", "u32"], result: "i32" },
  mkdirat: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  readlinkat: { parameters: ["i32", "buffer", "buffer", "usize"], result: "isize" },
  unlinkat: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  renameat: { parameters: ["i32", "buffer", "i32", "buffer"], result: "i32" },
  // glibc >= 2.30.
  getdents64: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  // System calls by number, then arguments: openat2 (glibc 2.36 has no wrapper), rt_sigaction.
  syscall: { parameters: ["i64", "i64", "buffer", "buffer", "i64"], result: "i64" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  // The new mount API (glibc >= 2.36): optional, plash falls back to mount(2).
  fsopen: { parameters: ["buffer", "u32"], result: "i32", optional: true },
  fsconfig: {
    parameters: ["i32", "u32", "buffer", "buffer", "i32"],
    result: "i32",
    optional: true,
  },
  fsmount: { parameters: ["i32", "u32", "u32"], result: "i32", optional: true },
  move_mount: {
    parameters: ["i32", "buffer", "i32", "buffer", "u32"],
    result: "i32",
    optional: true,
  },
  mount_setattr: {
    parameters: ["i32", "buffer", "u32", "buffer", "usize"],
    result: "i32",
    optional: true,
  },
} as const satisfies Record<string, Deno.ForeignFunction>;

type Signatures = typeof SIGNATURES;
/** Functions that older C libraries lack (`null` then). */
type Optional = "fsopen" | "fsconfig" | "fsmount" | "move_mount" | "mount_setattr";

const encoder = new TextEncoder();

/** A NUL-terminated copy of `text`, ready to pass as a C string. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text + "\0");
}

/**
 * dlsym itself, the only address Deno looks up (each address Deno.dlopen
 * resolves costs about 10 µs at start-up).
 */
const dlsymCall = new Deno.UnsafeFnPointer(
  Deno.dlopen("libc.so.6", { dlsym: { type: "pointer" } }).symbols
    .dlsym as Deno.PointerObject<never>,
  { parameters: ["pointer", "buffer"], result: "pointer" },
);

/**
 * RTLD_DEFAULT: dlsym searches the objects Deno was started with, in load
 * order: deno itself, which defines none of these names
 * (`tests/ffi/libc_test.ts` checks), then its libraries: the C library (and
 * before glibc 2.34 libpthread, whose variants of some calls are the same
 * calls, cancellable). A handle of the C library's own took a call of dlopen
 * and its binding: 0.07 ms of every start.
 */
const RTLD_DEFAULT = null;

/** The address of the C library's function `name`, or null when this libc lacks it. */
export function libcAddress(name: string): Deno.PointerValue {
  return dlsymCall.call(RTLD_DEFAULT, cString(name));
}

/** What a table of signatures binds: each function's call. */
type Calls<Table extends Record<string, Deno.ForeignFunction>> = {
  [Name in keyof Table]: Deno.UnsafeFnPointer<Table[Name]>["call"];
};

/**
 * Looks `name` up and binds it: its call, or null for an optional one this libc lacks. Binding
 * compiles nothing: a call through a pointer takes Deno's general path.
 */
function bindFunction(name: string, signature: Deno.ForeignFunction): unknown {
  const address = libcAddress(signature.name ?? name);
  if (address === null) {
    if (signature.optional) return null;
    throw new Error(`libc.so.6 has no ${name}`);
  }
  const { optional: _, name: __, ...definition } = signature;
  const pointer = new Deno.UnsafeFnPointer(address as Deno.PointerObject<never>, definition);
  return pointer.call.bind(pointer);
}

/**
 * The C library's functions of `signatures` (as `Deno.dlopen` takes them),
 * each looked up and bound the first time it is read, through the one
 * dlsym of this module: for a module whose calls not every command makes,
 * its own table, so that every start does not load it (about 0.05 ms of CPU
 * a KB of code). A proxy, not a getter a function: defining some sixty
 * getters cost every start 0.15-0.25 ms of CPU, more than the few functions
 * a command binds.
 *
 * @example
 * ```ts
 * import { bindLibc } from "./libc.ts";
 *
 * const calls = bindLibc({ getpid: { parameters: [], result: "i32" } } as const);
 * calls.getpid(); // looked up and bound now
 * ```
 */
export function bindLibc<Table extends Record<string, Deno.ForeignFunction>>(
  signatures: Table,
): Calls<Table> {
  const bound: Record<string, unknown> = Object.create(null);
  return new Proxy(bound, {
    get(target, name) {
      if (typeof name !== "string" || !Object.hasOwn(signatures, name)) return undefined;
      if (!(name in target)) target[name] = bindFunction(name, signatures[name]);
      return target[name];
    },
  }) as Calls<Table>;
}

/** The libc functions, bound on first use; prefer the checked wrappers in `ffi/sys.ts`. */
export const sym = bindLibc(SIGNATURES) as
  & Omit<Calls<Signatures>, Optional>
  & { [Name in Optional]: Calls<Signatures>[Name] | null };

/**
 * Binds the libc functions `names` now, where {@linkcode sym} would bind each
 * on first use: before a clone whose child calls them, since binding makes
 * Deno resources and compiles code, which a child sharing plash's memory must
 * not.
 *
 * @example
 * ```ts
 * import { bindNow, sym } from "./libc.ts";
 *
 * bindNow("getpid", "getppid");
 * sym.getpid(); // no lookup now
 * ```
 */
export function bindNow(...names: (keyof Signatures)[]): void {
  for (const name of names) void sym[name];
}

/**
 * errno of the thread that runs JavaScript: its place, asked once, read as
 * memory (a call and a pointer view a read cost a run's expected misses more
 * than their system calls). A clone child without CLONE_SETTLS has the same
 * thread storage, so the same place.
 */
let errnoCell: Int32Array | undefined;

/** The calling thread's errno, read right after a failing call. */
export function errno(): number {
  errnoCell ??= new Int32Array(Deno.UnsafePointerView.getArrayBuffer(sym.__errno_location()!, 4));
  return errnoCell[0];
}

/** The C library's text for an errno value. */
export function errnoText(code: number): string {
  return Deno.UnsafePointerView.getCString(sym.strerror(code)!);
}

/**
 * A NULL-terminated array of pointers to C strings (argv, envp). The strings
 * are kept on the returned object so they outlive the call that uses them.
 */
export function cStringArray(items: string[]): { pointers: BigUint64Array; keep: Uint8Array[] } {
  const keep = items.map(cString);
  const pointers = new BigUint64Array(keep.length + 1);
  keep.forEach((item, i) => {
    pointers[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(item)));
  });
  return { pointers, keep };
}
