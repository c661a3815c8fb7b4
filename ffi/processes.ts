/**
 * Child processes and pipes: spawning, waiting, signalling.
 *
 * Not in `sys.ts`, which every start loads: a root run replaces plash by its command and waits for
 * no child.
 *
 * @module
 */

import { check, SyscallError } from "./errors.ts";
import { bindLibc, cString, cStringArray, errno, libcAddress, sym } from "./libc.ts";

/** The C library's functions only this module calls, out of every start's table (`libc.ts`). */
const SIGNATURES = {
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32", nonblocking: true },
  kill: { parameters: ["i32", "i32"], result: "i32" },
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
  // The same write(2) on a worker thread: a write into a pipe may wait for its reader.
  write_nonblocking: {
    name: "write",
    parameters: ["i32", "buffer", "usize"],
    result: "isize",
    nonblocking: true,
  },
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  dup: { parameters: ["i32"], result: "i32" },
  dup2: { parameters: ["i32", "i32"], result: "i32" },
} as const satisfies Record<string, Deno.ForeignFunction>;
const calls = bindLibc(SIGNATURES);

const O_CLOEXEC = 0o2000000;

/** A pipe as two descriptors, both close-on-exec (a child's dup2 of one keeps it). */
export function makePipe(): { read: number; write: number } {
  const fds = new Int32Array(2);
  check(calls.pipe2(new Uint8Array(fds.buffer), O_CLOEXEC), "pipe2");
  return { read: fds[0], write: fds[1] };
}

/** dup2(2): `fd` as descriptor `target` too (not close-on-exec). */
export function dup2(fd: number, target: number): void {
  check(calls.dup2(fd, target), "dup2", String(target));
}

/** dup(2): another descriptor of what `fd` refers to (not close-on-exec). */
export function duplicate(fd: number): number {
  return check(calls.dup(fd), "dup", String(fd));
}

/** PIPE_BUF: a write of at most this many bytes into a pipe is whole, or fails. */
const PIPE_BUF = 4096;

/**
 * Writes `bytes`, at most 4 KiB, into the empty pipe `fd` with one write(2),
 * whole or not at all: no loop, no reader needed, as for a small message
 * (an OCI state) a child reads once it starts.
 */
export function writeToPipe(fd: number, bytes: Uint8Array): void {
  if (bytes.length > PIPE_BUF) {
    throw new Error(`writeToPipe: ${bytes.length} bytes exceed a pipe's atomic write`);
  }
  check(sym.write(fd, bytes, BigInt(bytes.length)), "write", `pipe ${fd}`);
}

/**
 * Writes all of `bytes` to `fd` from a worker thread, so that the event loop
 * runs while a pipe's reader is slow. A failed write throws without an errno
 * (it was set on the worker thread): a pipe whose reader is gone, mostly.
 */
export async function writeAllNonblocking(fd: number, bytes: Uint8Array): Promise<void> {
  const copy = new Uint8Array(bytes);
  for (let done = 0; done < copy.length;) {
    const chunk = copy.subarray(done);
    const written = Number(await calls.write_nonblocking(fd, chunk, BigInt(chunk.length)));
    if (written < 0) throw new Error(`write to descriptor ${fd} failed`);
    done += written;
  }
}

/** What a finished writer left in the pipe `fd`: up to 4 KiB, as text (an error message). */
export function readAvailable(fd: number): string {
  const buffer = new Uint8Array(4096);
  const length = Number(sym.read(fd, buffer, BigInt(buffer.length)));
  return length > 0 ? new TextDecoder().decode(buffer.subarray(0, length)) : "";
}

/** kill(2); a process that is already gone is not an error. */
export function sendSignal(pid: number, signal: number): void {
  calls.kill(pid, signal);
}

const WNOHANG = 1;
const EINTR = 4;
const SIGKILL = 9;
const O_WRONLY = 1;
let waitpidHere:
  | ((pid: number, status: Uint8Array<ArrayBuffer>, options: number) => number)
  | undefined;

/**
 * waitpid(2) called on this (the main) thread. `calls.waitpid` is non-blocking:
 * it runs on a worker thread, and errno is per thread, so its errno cannot be
 * read here; a call on this thread leaves errno where `errno()` reads it.
 */
function waitpidOnThisThread(
  pid: number,
  status: Uint8Array<ArrayBuffer>,
  options: number,
): number {
  if (waitpidHere === undefined) {
    const pointer = new Deno.UnsafeFnPointer(
      libcAddress("waitpid") as Deno.PointerObject<never>,
      { parameters: ["i32", "buffer", "i32"], result: "i32" } as const,
    );
    waitpidHere = (pid, status, options) => pointer.call(pid, status, options);
  }
  return waitpidHere(pid, status, options);
}

/**
 * How a child ended, as a shell reports it: the exit code, or 128 + the signal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spawnProgram, waitForExit } from "./processes.ts";
 *
 * // A child made by posix_spawn(3) or clone(2) (spawn_in_namespaces.ts).
 * const pid = spawnProgram(["/bin/sh", "-c", "exit 3"], []);
 * assert.equal(await waitForExit(pid), 3); // or 128 + 9 had it been killed
 * ```
 */
export async function waitForExit(pid: number): Promise<number> {
  const status = new Int32Array(1);
  const buffer = new Uint8Array(status.buffer);
  for (;;) {
    // Blocking, off the main thread: signal listeners keep running meanwhile.
    if (await calls.waitpid(pid, buffer, 0) === pid) break;
    // Failed, with an errno left on the worker thread. Ask again here without
    // blocking: 0 means the child still runs (the wait was interrupted, EINTR),
    // its pid that it has just ended, -1 a real error (ECHILD) in this errno.
    const now = waitpidOnThisThread(pid, buffer, WNOHANG);
    if (now === pid) break;
    if (now < 0) throw new SyscallError("waitpid", String(pid), errno());
  }
  return shellStatus(status[0]);
}

/** A wait status as a shell reports it: the exit code, or 128 + the signal. */
function shellStatus(raw: number): number {
  const signal = raw & 0x7f;
  return signal === 0 ? (raw >> 8) & 0xff : 128 + signal;
}

/**
 * How child `pid` ended ({@linkcode waitForExit}'s number), waiting on this
 * thread, which runs nothing else meanwhile (signal listeners included): for
 * a clone child, which has no event loop.
 */
function waitForExitSync(pid: number): number {
  const status = new Int32Array(1);
  const buffer = new Uint8Array(status.buffer);
  while (waitpidOnThisThread(pid, buffer, 0) !== pid) {
    const code = errno();
    if (code !== EINTR) throw new SyscallError("waitpid", String(pid), code);
  }
  return shellStatus(status[0]);
}

/** The longest pause between two looks at a child {@linkcode waitForExitWithin} waits for. */
const LONGEST_PAUSE_MS = 10;

/**
 * How child `pid` ended, waiting on this thread (as a clone child must) for
 * at most `ms` milliseconds (or for good without `ms`): past that the child
 * is killed (SIGKILL) and reaped, and the result is undefined. It looks at
 * the child after pauses that grow from 0.1 ms, so a quick child costs little.
 */
export function waitForExitWithin(pid: number, ms?: number): number | undefined {
  if (ms === undefined) return waitForExitSync(pid);
  const deadline = performance.now() + ms;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let pause = 0.1;; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    const status = exitStatusNow(pid);
    if (status !== undefined) return status;
    const left = deadline - performance.now();
    if (left <= 0) {
      sendSignal(pid, SIGKILL);
      waitForExitSync(pid);
      return undefined;
    }
    Atomics.wait(sleeper, 0, 0, Math.min(pause, left));
  }
}

/**
 * Starts the program at path `argv[0]` (no PATH search) with `argv` and the
 * environment `env` (`NAME=VALUE` each) by posix_spawn(3), with this
 * process's descriptors, stderr on /dev/null with `quietStderr`; returns its
 * pid. No JavaScript runs in the child, so a clone child may call this.
 */
export function spawnProgram(
  argv: string[],
  env: string[],
  options: { quietStderr?: boolean } = {},
): number {
  const pid = new Int32Array(1);
  const args = cStringArray(argv);
  const environment = cStringArray(env);
  // posix_spawn_file_actions_t: 80 bytes on 64-bit glibc.
  const actions = new Uint8Array(80);
  calls.posix_spawn_file_actions_init(actions);
  try {
    if (options.quietStderr) {
      calls.posix_spawn_file_actions_addopen(actions, 2, cString("/dev/null"), O_WRONLY, 0);
    }
    const code = calls.posix_spawn(
      new Uint8Array(pid.buffer),
      cString(argv[0]),
      actions,
      null,
      new Uint8Array(args.pointers.buffer),
      new Uint8Array(environment.pointers.buffer),
    );
    if (code !== 0) throw new SyscallError("posix_spawn", argv[0], code);
  } finally {
    calls.posix_spawn_file_actions_destroy(actions);
  }
  return pid[0];
}

/**
 * How child `pid` ended ({@linkcode waitForExit}'s number), or undefined while
 * it runs: asked without waiting, on this thread (a clone child may ask).
 */
export function exitStatusNow(pid: number): number | undefined {
  const status = new Int32Array(1);
  const found = waitpidOnThisThread(pid, new Uint8Array(status.buffer), WNOHANG);
  if (found < 0) throw new SyscallError("waitpid", String(pid), errno());
  return found === pid ? shellStatus(status[0]) : undefined;
}
