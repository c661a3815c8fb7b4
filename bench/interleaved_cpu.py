#!/usr/bin/env python3
"""CPU time of commands run in turn, for start-up ratios on a busy machine.

hyperfine runs all the runs of one command, then all of the next: on a machine
shared with other jobs, a change of load between the two shifts one against the
other by more than the difference sought. This runs the commands one at a
time in turn (ABC..., reversed every other round) and takes each run's CPU
time (user + system, children included, from wait4), which moves less with
load than wall time. It prints each command's minimum, first quartile and
median in milliseconds, and each one's ratio to the first command: the median
of the ratios of the runs made in the same round, so that a slow stretch of
the machine weighs on both sides of each ratio.

  ROUNDS=80 bench/interleaved_cpu.py \
      'floor=node_modules/.bin/deno run -A --quiet bench/floor.ts SCRATCH LOWER' \
      'plash=bin/plash run 1 true'

Each argument is NAME=COMMAND, split as a shell would (no shell runs it); the
environment and working directory are the caller's. Five warm-up runs of each
come first. stdout and stderr of the commands are discarded.
"""

import os
import shlex
import statistics
import sys


def cpu_ms(argv: list[str]) -> float:
    """Runs argv and returns its CPU time (user + system, with its children) in ms."""
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"interleaved_cpu.py: {shlex.join(argv)} failed ({status})")
    return (usage.ru_utime + usage.ru_stime) * 1000


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    commands = []
    for spec in sys.argv[1:]:
        name, command = spec.split("=", 1)
        commands.append((name, shlex.split(command)))
    for _, argv in commands:
        for _ in range(5):
            cpu_ms(argv)
    rounds = int(os.environ.get("ROUNDS", "80"))
    times: dict[str, list[float]] = {name: [] for name, _ in commands}
    for round_ in range(rounds):
        for name, argv in commands if round_ % 2 == 0 else commands[::-1]:
            times[name].append(cpu_ms(argv))
    first = commands[0][0]
    for name, _ in commands:
        values = sorted(times[name])
        ratio = statistics.median(a / b for a, b in zip(times[name], times[first]))
        print(
            f"{name:44s} min {values[0]:6.2f}  q1 {values[len(values) // 4]:6.2f}"
            f"  median {statistics.median(values):6.2f} ms   {ratio:.3f}x {first}"
        )


if __name__ == "__main__":
    main()
