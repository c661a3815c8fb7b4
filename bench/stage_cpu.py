#!/usr/bin/env python3
"""Main-thread CPU of each stage of one plash command, from markers in a scratch bundle.

Whole-process CPU (bench/interleaved_cpu.py) says how much a start costs, not where it goes. For
that, put markers in a copy of the sources (never committed):

    (globalThis as any).__T?.("store opened");

one named "exec" right before the execve of a run (core/runtime/exec.ts), then bundle the copy
into a scratch directory and run this on it:

    node_modules/.bin/deno run -A scripts/bundle.ts /tmp/marked-js
    PLASH_DATA=/tmp/data bench/stage_cpu.py /tmp/marked-js 15 run 1 true

It adds a marker function to the start of cli.js's body (a marker "first" there: Deno's start
and cli.js's static chunks), runs `deno run ... cli.js ARGS...` N times after three warm-up runs
(with plash's V8 flags: a bundle run without them loses its code cache), and prints for each
marker the median thread CPU time (CLOCK_THREAD_CPUTIME_ID) since the one before, in ms. A
command that ends without an exec prints its markers when it exits.
"""

import os
import re
import statistics
import subprocess
import sys

MARKERS = (
    'const __clock=Deno.dlopen("libc.so.6",{clock_gettime:{parameters:["i32","buffer"],'
    'result:"i32"}}).symbols;const __time=new BigInt64Array(2);const __marks=[];'
    "const __say=()=>console.error(\"__STAGES \"+__marks.join(\"|\"));"
    "globalThis.__T=(name)=>{__clock.clock_gettime(3,new Uint8Array(__time.buffer));"
    "__marks.push(name+\"=\"+(Number(__time[0])*1e3+Number(__time[1])/1e6).toFixed(4));"
    'if(name==="exec")__say()};globalThis.addEventListener("unload",__say);__T("first");'
)


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit("usage: stage_cpu.py BUNDLE_DIR N ARGS...")
    bundle, runs, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    cli = os.path.join(bundle, "cli.js")
    text = open(cli).read()
    if "__STAGES" not in text:
        imports = re.match(r"(?:import[^;]*;)*", text).end()  # hoisted anyway: after them
        open(cli, "w").write(text[:imports] + MARKERS + text[imports:])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    command = [
        os.path.join(root, "node_modules/.bin/deno"), "run", "-A", "--quiet",
        "--v8-flags=--no-lazy,--single-threaded,--no-sparkplug", cli, *args,
    ]
    rows = []
    for i in range(runs + 3):
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        lines = [line for line in done.stderr.splitlines() if line.startswith("__STAGES ")]
        if not lines:
            sys.exit(f"stage_cpu.py: no markers printed; stderr: {done.stderr[-500:]}")
        if i >= 3:
            rows.append([mark.rsplit("=", 1) for mark in lines[-1][len("__STAGES "):].split("|")])
    names = [name for name, _ in rows[0]]
    stages = []
    for j, name in enumerate(names):
        spans = [float(row[j][1]) - (float(row[j - 1][1]) if j else 0) for row in rows if len(row) > j]
        stages.append(f"{name} {statistics.median(spans):.3f}")
    total = statistics.median(float(row[-1][1]) - float(row[0][1]) for row in rows)
    print(" | ".join(stages))
    print(f"first to last marker: {total:.3f} ms (median of {len(rows)} runs)")


main()
