#!/usr/bin/python3
"""Runs a program as if on an old kernel: the named system calls fail with ENOSYS.

usage: old_kernel_filter.py [--no-overlay-in-userns] SYSCALL... -- PROGRAM [ARG...]

A seccomp filter (Debian's python3-seccomp) is loaded, then PROGRAM is exec'd
under it; the filter stays with PROGRAM and every process it starts. As root
the filter is loaded without no_new_privs, so setuid helpers still work.

--no-overlay-in-userns: as Linux before 5.11, mount(2) of type "overlay" by a
process in a user namespace other than this one fails with EPERM. seccomp
cannot read the type (a string), so the filter hands every mount(2) to this
program (SECCOMP_RET_USER_NOTIF), which stays as PROGRAM's parent, reads the
type from the caller's memory and answers: EPERM, or "carry on" for the rest.
"""

import errno
import os
import select
import sys

import seccomp

CONTINUE = 1  # SECCOMP_USER_NOTIF_FLAG_CONTINUE

separator = sys.argv.index("--")
denied, command = sys.argv[1:separator], sys.argv[separator + 1:]
supervise = "--no-overlay-in-userns" in denied
denied = [name for name in denied if name != "--no-overlay-in-userns"]
if not command:
    sys.exit(__doc__.split("\n")[2])
rules = seccomp.SyscallFilter(seccomp.ALLOW)
if os.geteuid() == 0:
    rules.set_attr(seccomp.Attr.CTL_NNP, 0)
for name in denied:
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), name)
if supervise:
    rules.add_rule(seccomp.NOTIFY, "mount")
rules.load()
if not supervise:
    os.execvp(command[0], command)

notify_fd = rules.get_notify_fd()
child = os.fork()
if child == 0:
    os.close(notify_fd)
    os.execvp(command[0], command)


def read_string(pid, address):
    if address == 0:
        return None
    with open(f"/proc/{pid}/mem", "rb") as memory:
        memory.seek(address)
        return memory.read(64).split(b"\0")[0].decode(errors="replace")


own_namespace = os.readlink("/proc/self/ns/user")
while True:
    ready, _, _ = select.select([notify_fd], [], [], 0.1)
    finished, status = os.waitpid(child, os.WNOHANG)
    if finished:
        sys.exit(os.waitstatus_to_exitcode(status) % 256)
    if not ready:
        continue
    try:
        call = rules.receive_notify()
    except RuntimeError:
        continue  # the caller went away
    try:
        refused = read_string(call.pid, call.syscall_args[2]) == "overlay" and \
            os.readlink(f"/proc/{call.pid}/ns/user") != own_namespace
    except OSError:
        refused = False
    answer = seccomp.NotificationResponse(call, 0, -errno.EPERM if refused else 0,
                                          0 if refused else CONTINUE)
    try:
        rules.respond_notify(answer)
    except RuntimeError:
        pass  # the caller went away
