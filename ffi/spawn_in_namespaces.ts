/**
 * Starting a program as root of a new user namespace from a multithreaded
 * Deno process.
 *
 * unshare(CLONE_NEWUSER) refuses a multithreaded caller, and JavaScript cannot
 * run in a fork()ed copy of Deno. Two clones do it (DESIGN.md section 4):
 *
 * 1. A holder: a child made as in 2, in a new user namespace, that asks to be
 *    killed when plash dies, closes every descriptor and execs `sleep`. Its id
 *    maps are written from outside (newuidmap can map ranges only that way),
 *    and a descriptor of its namespace keeps the namespace after the holder
 *    is killed. A SIGKILLed plash leaves no holder behind, and none that holds
 *    a copy of its descriptors (a build's layer lock, a `$(plash ...)`'s
 *    stdout), as a clone without CLONE_VM running pause() did.
 * 2. The program: clone(2) with CLONE_VM | CLONE_VFORK, whose child runs a
 *    callback on a stack carved from the main thread's own stack while the
 *    parent stays suspended. The callback joins the namespace with setns(2),
 *    sets up the container (plash's own code, in the child) and execs the
 *    command; uid 0 there keeps its capabilities across that exec.
 *
 * @module
 */

import { SyscallError } from "./errors.ts";
import { bindLibc, errno, sym } from "./libc.ts";
import { execve } from "./sys.ts";

/** The C library's functions only this module calls, out of every start's table (`libc.ts`). */
const SIGNATURES = {
  // The child of a CLONE_VM clone runs JavaScript, which V8 forbids inside a fast API call, and
  // optimized code calls an i32 function that way. A one-int struct comes back in the same
  // register as an int (x86_64, aarch64) but has no fast call: the call stays on the slow path.
  clone: { parameters: ["function", "pointer", "i32", "pointer"], result: { struct: ["i32"] } },
} as const satisfies Record<string, Deno.ForeignFunction>;
const calls = bindLibc(SIGNATURES);

const CLONE_VM = 0x100;
const CLONE_VFORK = 0x4000;
const CLONE_NEWUSER = 0x10000000;
const SIGCHLD = 17;
/** How far below the current stack pointer a child's stack starts. */
const CHILD_STACK_GAP = 128n * 1024n;
/** How far below the last child's stack the next one starts. */
const CHILD_STACK_ROOM = 64n * 1024n;
/** How far below CHILD_STACK_GAP children's stacks go before they start at the gap again. */
const CHILD_STACKS_SPAN = 512n * 1024n;

/**
 * The top of the last child's stack. A child ends in an exec inside V8's
 * entry into its callback, which it never leaves: V8's chain of stack
 * handlers goes on pointing into that child's stack until the JavaScript that
 * made the child returns to the event loop. A second child whose frames lay
 * over the first one's (the same depth, the same addresses) linked its
 * handler to itself, and V8's next walk of the stack in it (an Error, a
 * collection) spun for ever. So each child's stack lies below the last one's,
 * down to CHILD_STACKS_SPAN (eight children in a row), then starts at the gap
 * again: plash makes a few children between two returns to the event loop,
 * not eight. (Knowing when it returned would take a timer, and Deno's first
 * costs a start about 10 ms.)
 */
let lastChildStack: bigint | undefined;

/** A stack for a clone child: the main thread's own, well below where it is in use. */
function childStack(): Deno.PointerValue {
  // The kernel reports the stack pointer of the thread reading this file.
  const fields = Deno.readTextFileSync("/proc/thread-self/syscall").trim().split(" ");
  const highest = BigInt(fields[fields.length - 2]) - CHILD_STACK_GAP;
  let top = highest;
  if (lastChildStack !== undefined && lastChildStack - CHILD_STACK_ROOM < top) {
    top = lastChildStack - CHILD_STACK_ROOM;
  }
  if (top < highest - CHILD_STACKS_SPAN) top = highest;
  lastChildStack = top;
  return Deno.UnsafePointer.create(top);
}

/** clone(2) of `fn` on a child stack with `flags`: the child's pid, or -1 (errno set). */
function cloneCall(fn: Deno.PointerValue, flags: number): number {
  const result = calls.clone(fn, childStack(), flags, null);
  return new Int32Array(result.buffer, result.byteOffset, 1)[0];
}

const PR_SET_PDEATHSIG = 1;
const PR_GET_DUMPABLE = 3;
const PR_SET_DUMPABLE = 4;
const SIGKILL = 9;
/**
 * In a child of plash (whose pid is `parent`): asks for SIGKILL when plash
 * dies, and exits at once when it already has, so that a plash killed by
 * SIGKILL leaves nothing running in its name.
 */
export function dieWithParent(parent: number): void {
  sym.prctl(PR_SET_PDEATHSIG, BigInt(SIGKILL), 0n, 0n, 0n);
  // Plash died before the signal was asked for: nobody is left to send it.
  if (sym.getppid() !== parent) sym._exit(1);
}

/** What a holder runs: a program that sleeps until it is killed. */
const HOLDER = ["/bin/sleep", "infinity"];

/**
 * Starts a process that sleeps in a new user namespace with no id maps yet;
 * returns its pid. It dies with plash (a parent-death signal) and has none of
 * plash's descriptors open.
 */
export function startNamespaceHolder(): number {
  const parent = sym.getpid();
  return spawnSharingMemory(() => {
    dieWithParent(parent);
    // Without CLONE_FILES the table is the child's own copy: plash keeps its descriptors.
    sym.close_range(0, 0xffffffff, 0);
    execve(HOLDER[0], HOLDER, []);
  }, { newUserNamespace: true, onError: () => 127 });
}

/**
 * Starts a child that shares this process's memory and runs `body`, this very
 * JavaScript, in it: clone(2) with CLONE_VM | CLONE_VFORK, so this process is
 * suspended until the child execs or exits, and the child runs on a stack
 * carved from the main thread's own, where V8 accepts it. With
 * `userNamespaceFd` the child first joins that user namespace (setns), where
 * it is root; with `newUserNamespace` it is made in a new one, with no id maps
 * yet (`body` writes its own). Returns the child's pid once it has exec'd.
 *
 * `body` ends in an exec, throws, or returns (the child then exits with status
 * 0): the child never returns into Deno's event loop. It should make no
 * resources Deno keeps (open files are raw descriptors here), since the
 * parent's bookkeeping is its own. What `body` throws is given to `onError`,
 * which says it and returns the exit status the child then `_exit`s with. What
 * `body` stores in memory (a list of the mount points it made, say) is the
 * parent's to read after the exec.
 */
export function spawnSharingMemory(
  body: () => void,
  options: {
    userNamespaceFd?: number;
    newUserNamespace?: boolean;
    onError: (error: unknown) => number;
  },
): number {
  const namespaceFd = options.userNamespaceFd;
  const child = new Deno.UnsafeCallback(
    { parameters: ["pointer"], result: "i32" } as const,
    () => {
      let status = 127;
      try {
        if (namespaceFd !== undefined && sym.setns(namespaceFd, CLONE_NEWUSER) < 0) {
          throw new SyscallError("setns", "the user namespace", errno());
        }
        body();
        status = 0;
      } catch (error) {
        try {
          status = options.onError(error);
        } catch { /* nothing more can be said */ }
      }
      sym._exit(status);
      return status;
    },
  );
  const flags = CLONE_VM | CLONE_VFORK | SIGCHLD | (options.newUserNamespace ? CLONE_NEWUSER : 0);
  const dumpable = sym.prctl(PR_GET_DUMPABLE, 0n, 0n, 0n, 0n);
  const pid = cloneCall(child.pointer, flags);
  const code = errno();
  child.close();
  // A child that switched its user (`-u`, USER) made the memory it shared, plash's, not
  // dumpable, which makes plash's /proc/self files root's: a later child could not be started
  // (its stack is found in /proc/thread-self/syscall). The child has exec'd: the memory is
  // plash's alone again.
  if (dumpable === 1) sym.prctl(PR_SET_DUMPABLE, 1n, 0n, 0n, 0n);
  // A refused new user namespace is named as the holder's clone names it: what
  // the host refuses is the namespace, and what plash then says depends on it.
  const call = options.newUserNamespace ? "CLONE_NEWUSER" : "CLONE_VM|CLONE_VFORK";
  if (pid < 0) throw new SyscallError("clone", call, code);
  return pid;
}
