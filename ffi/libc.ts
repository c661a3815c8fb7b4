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
  mknod: { parameters: ["buffer", "u32", "u64"], result: "i32" },
  lchown: { parameters: ["buffer", "u32", "u32"], result: "i32" },
  chmod: { parameters: ["buffer", "u32"], result: "i32" },
  utimensat: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  lsetxattr: {
    parameters: ["buffer", "buffer", "buffer", "usize", "i32"],
    result: "i32",
  },
  lgetxattr: { parameters: ["buffer", "buffer", "buffer", "usize"], result: "isize" },
  getppid: { parameters: [], result: "i32" },
  getpid: { parameters: [], result: "i32" },
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  // glibc >= 2.34.
  close_range: { parameters: ["u32", "u32", "i32"], result: "i32" },
  // The child of a CLONE_VM clone runs JavaScript, which V8 forbids inside a fast API call, and
  // optimized code calls an i32 function that way. A one-int struct comes back in the same
  // register as an int (x86_64, aarch64) but has no fast call: the call stays on the slow path.
  clone: { parameters: ["function", "pointer", "i32", "pointer"], result: { struct: ["i32"] } },
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32", nonblocking: true },
  kill: { parameters: ["i32", "i32"], result: "i32" },
  setns: { parameters: ["i32", "i32"], result: "i32" },
  statvfs: { parameters: ["buffer", "buffer"], result: "i32" },
  statx: { parameters: ["i32", "buffer", "i32", "u32", "buffer"], result: "i32" },
  fstatfs: { parameters: ["i32", "buffer"], result: "i32" },
  gnu_get_libc_version: { parameters: [], result: "pointer" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  // The same write(2) on a worker thread: a write into a pipe may wait for its reader.
  write_nonblocking: {
    name: "write",
    parameters: ["i32", "buffer", "usize"],
    result: "isize",
    nonblocking: true,
  },
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  // pid, path, file actions, attributes, argv, envp; returns an errno value, not -1.
  posix_spawn: {
    parameters: ["buffer", "buffer", "buffer", "pointer", "buffer", "buffer"],
    result: "i32",
  },
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_addopen: {
    parameters: ["buffer", "i32", "buffer", "i32", "u32"],
    result: "i32",
  },
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  dup: { parameters: ["i32"], result: "i32" },
  dup2: { parameters: ["i32", "i32"], result: "i32" },
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
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  // Variadic in C; plash passes only a pointer, which goes where a fixed argument would.
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  flock: { parameters: ["i32", "i32"], result: "i32" },
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
type Bound = { [Name in keyof Signatures]: Deno.UnsafeFnPointer<Signatures[Name]>["call"] };
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

/**
 * Looks `name` up and binds it: its call, or null for an optional one this libc lacks. Binding
 * compiles nothing: a call through a pointer takes Deno's general path.
 */
function bindFunction(name: keyof Signatures): unknown {
  const signature: Deno.ForeignFunction & { optional?: true; name?: string } = SIGNATURES[name];
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
 * Every function of {@linkcode SIGNATURES}, each bound the first time it is read. A proxy, not a
 * getter a function: defining some sixty getters cost every start 0.15-0.25 ms of CPU, more
 * than the few functions a command binds.
 */
function bind(): Omit<Bound, Optional> & { [Name in Optional]: Bound[Name] | null } {
  const bound: Record<string, unknown> = Object.create(null);
  return new Proxy(bound, {
    get(target, name) {
      if (typeof name !== "string" || !Object.hasOwn(SIGNATURES, name)) return undefined;
      if (!(name in target)) target[name] = bindFunction(name as keyof Signatures);
      return target[name];
    },
  }) as ReturnType<typeof bind>;
}

/** The libc functions, bound on first use; prefer the checked wrappers in `ffi/sys.ts`. */
export const sym = bind();

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
