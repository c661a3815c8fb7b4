#!/usr/bin/env python3
"""Main-thread CPU of loading files of a bundle, for sizes whole-process CPU cannot tell apart.

A change of a few KB in what a start loads is worth about 0.1 ms, below what whole-process CPU
tells apart on a shared machine (bench/interleaved_cpu.py's ratios move by 2% between runs). This
imports the given modules in a fresh Deno each time and prints the thread CPU time
(CLOCK_THREAD_CPUTIME_ID) the imports took, loading, compiling and evaluating included: each set
in turn (reversed every other round), after three warm-up rounds that write Deno's code cache.

  ROUNDS=80 bench/chunk_load_cpu.py \\
      before=/tmp/old-js/core/cmd/run.js after=dist/js/core/cmd/run.js

Each argument is NAME=FILE[,FILE...]: a run's modules are its command's entry (core/cmd/run.js,
which imports the chunks it needs), every start's are the largest chunk cli.js imports.
"""

import os
import statistics
import subprocess
import sys
import tempfile

PROBE = """
const { clock_gettime } = Deno.dlopen("libc.so.6", {
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
}).symbols;
const time = new BigInt64Array(2);
const now = () => {
  clock_gettime(3, new Uint8Array(time.buffer)); // CLOCK_THREAD_CPUTIME_ID
  return Number(time[0]) * 1e3 + Number(time[1]) / 1e6;
};
const start = now();
for (const file of Deno.args) await import(file);
console.log(now() - start);
"""

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A file, not `deno eval`: modules imported from an eval get no code cache (3x the time).
probe_dir = tempfile.mkdtemp(prefix="plash-chunk-load-")
probe = os.path.join(probe_dir, "probe.js")
with open(probe, "w") as file:
    file.write(PROBE)
deno = [os.path.join(root, "node_modules/.bin/deno"), "run", "-A", "--quiet",
        "--v8-flags=--no-lazy,--single-threaded,--no-sparkplug", probe]
rounds = int(os.environ.get("ROUNDS", "60"))
sets = {}
for argument in sys.argv[1:]:
    name, files = argument.split("=", 1)
    sets[name] = ["file://" + os.path.abspath(file) for file in files.split(",")]
times = {name: [] for name in sets}
try:
    for i in range(rounds + 3):
        for name in (list(sets) if i % 2 == 0 else list(reversed(sets))):
            out = subprocess.run(deno + sets[name], capture_output=True, text=True, check=True)
            if i >= 3:
                times[name].append(float(out.stdout))
finally:
    os.remove(probe)
    os.rmdir(probe_dir)
first = statistics.median(times[next(iter(sets))])
for name, values in times.items():
    median = statistics.median(values)
    print(f"{name:20} min {min(values):6.3f}  q1 {statistics.quantiles(values, n=4)[0]:6.3f}"
          f"  median {median:6.3f} ms  {median / first:.3f}x")
