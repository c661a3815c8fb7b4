#!/usr/bin/python3
"""Runs a program as if on an old kernel: the named system calls fail with ENOSYS.

usage: old_kernel_filter.py SYSCALL... -- PROGRAM [ARG...]

A seccomp filter (Debian's python3-seccomp) is loaded, then PROGRAM is exec'd
under it; the filter stays with PROGRAM and every process it starts. As root
the filter is loaded without no_new_privs, so setuid helpers still work.
"""

import errno
import os
import sys

import seccomp

separator = sys.argv.index("--")
denied, command = sys.argv[1:separator], sys.argv[separator + 1:]
if not command:
    sys.exit("usage: old_kernel_filter.py SYSCALL... -- PROGRAM [ARG...]")
rules = seccomp.SyscallFilter(seccomp.ALLOW)
if os.geteuid() == 0:
    rules.set_attr(seccomp.Attr.CTL_NNP, 0)
for name in denied:
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), name)
rules.load()
os.execvp(command[0], command)
