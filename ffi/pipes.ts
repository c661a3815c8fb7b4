/**
 * Pipes and descriptors a child is given: made, duplicated, written, read.
 *
 * Not in `sys.ts`, which every start loads, nor in `processes.ts`, which a
 * run loads with the fuse-overlayfs fallback: a root run passes no pipe.
 *
 * @module
 */

import { check } from "./errors.ts";
import { bindLibc, sym } from "./libc.ts";

/** The C library's functions only this module calls, out of every start's table (`libc.ts`). */
const SIGNATURES = {
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
