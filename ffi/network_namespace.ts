/**
 * A network namespace of the calling thread's own, with only the loopback
 * interface, up: what docker gives `RUN --network=none`.
 *
 * @module
 */

import { check } from "./errors.ts";
import { bindLibc, cString, sym } from "./libc.ts";

/** The C library's functions only this module calls, out of every start's table (`libc.ts`). */
const SIGNATURES = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  // Variadic in C; plash passes only a pointer, which goes where a fixed argument would.
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
} as const satisfies Record<string, Deno.ForeignFunction>;
const calls = bindLibc(SIGNATURES);

const CLONE_NEWNET = 0x40000000;
const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SIOCGIFFLAGS = 0x8913n;
const SIOCSIFFLAGS = 0x8914n;
const IFF_UP = 1;
/** `struct ifreq`: the interface name (16 bytes), then a union whose first field is the flags. */
const IFREQ_SIZE = 40;
const IFNAMSIZ = 16;

/**
 * Moves the calling thread into a new network namespace and brings its `lo`
 * up, as `ip link set lo up` does (a new namespace's loopback starts down).
 *
 * @example
 * ```ts ignore
 * import { enterEmptyNetworkNamespace } from "./network_namespace.ts";
 *
 * enterEmptyNetworkNamespace(); // now only 127.0.0.1 and ::1 are reachable
 * ```
 */
export function enterEmptyNetworkNamespace(): void {
  check(sym.unshare(CLONE_NEWNET), "unshare", "CLONE_NEWNET");
  // The socket is made in the new namespace: its ioctls act on that namespace's interfaces.
  const fd = check(calls.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket", "lo");
  try {
    const request = new Uint8Array(IFREQ_SIZE);
    request.set(cString("lo"));
    check(calls.ioctl(fd, SIOCGIFFLAGS, request), "ioctl SIOCGIFFLAGS", "lo");
    const flags = new DataView(request.buffer, IFNAMSIZ, 2);
    flags.setInt16(0, flags.getInt16(0, true) | IFF_UP, true);
    check(calls.ioctl(fd, SIOCSIFFLAGS, request), "ioctl SIOCSIFFLAGS", "lo");
  } finally {
    sym.close(fd);
  }
}
