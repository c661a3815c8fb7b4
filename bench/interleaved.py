#!/usr/bin/env python3
"""Before/after start-up on a busy machine: commands run alternately, one at a time.

hyperfine runs all the runs of one command, then all of the next, so a machine
whose load changes meanwhile (other jobs, CPU frequency) shifts one command
against another. This runs them in turn (ABAB..., reversed every other round)
and prints each one's median, mean and 10th percentile in milliseconds.

  ROUNDS=300 bench/interleaved.py 'run 1 true' \
      before=/path/to/old/deno.json=/path/to/old/cli.ts \
      after=/path/to/deno.json=/path/to/dist/js/cli.js

Each NAME=CONFIG=MAIN is `deno run -A --quiet --config CONFIG MAIN ARGS...`
with Deno from this checkout's node_modules; PLASH_DATA is the caller's.
"""

import os
import statistics
import subprocess
import sys
import time

DENO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node_modules", ".bin", "deno")


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    args = sys.argv[1].split()
    commands = {}
    for spec in sys.argv[2:]:
        name, config, script = spec.split("=", 2)
        commands[name] = [DENO, "run", "-A", "--quiet", "--config", config, script, *args]
    times = {name: [] for name in commands}
    for command in commands.values():
        for _ in range(10):  # warm-up: Deno's caches, the page cache
            subprocess.run(command, stdout=subprocess.DEVNULL, check=False)
    order = list(commands.items())
    for round_ in range(int(os.environ.get("ROUNDS", "300"))):
        for name, command in order if round_ % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, check=False)
            times[name].append((time.perf_counter() - start) * 1000)
    for name, values in times.items():
        values.sort()
        print(
            f"{name:12s} median {statistics.median(values):6.2f}  mean {statistics.mean(values):6.2f}"
            f"  p10 {values[len(values) // 10]:6.2f} ms"
        )


if __name__ == "__main__":
    main()
