#!/bin/sh
# CDI reader benchmark: a Deno start that resolves no device, a device of a
# JSON spec, and the same device of a YAML spec (the `yaml` npm package loaded),
# in one hyperfine run. The specs are NVIDIA-sized: 8 devices, 60 mounts. Leaves
# nothing behind.
#
#   bench/cdi.sh            # 30 runs of each after 3 warm-up runs
#   RUNS=100 bench/cdi.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
runs=${RUNS:-30}
work=$(mktemp -d /tmp/plash-bench-cdi.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/json" "$work/yaml"

# One spec, written as JSON and as YAML (JSON is YAML: the YAML parser reads it all).
"$deno" eval '
const mounts = Array.from({ length: 60 }, (_, i) => ({
  hostPath: "/etc/hostname", containerPath: `/usr/lib/vendor/lib${i}.so`, options: ["ro", "nosuid", "nodev", "bind"],
}));
const devices = Array.from({ length: 8 }, (_, i) => ({
  name: String(i), containerEdits: { deviceNodes: [{ path: `/dev/vendor${i}`, hostPath: "/dev/null" }] },
}));
const spec = { cdiVersion: "0.5.0", kind: "vendor.com/gpu", containerEdits: { env: ["VENDOR=1"], mounts }, devices };
Deno.writeTextFileSync(Deno.args[0], JSON.stringify(spec, null, 2));
Deno.writeTextFileSync(Deno.args[1], JSON.stringify(spec, null, 2));
' "$work/json/vendor.json" "$work/yaml/vendor.yaml"

run="$deno run -A --quiet $root/bench/cdi_resolve.ts"
[ "$($run "$work/yaml" vendor.com/gpu=0)" = 1 ] || { echo "cdi.sh: the device did not resolve" >&2; exit 1; }
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: nproc $(nproc), kernel $(uname -r); $(hyperfine --version)"
echo
hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$work/table.md" \
  --export-json "$work/times.json" \
  -n "no device" "$run $work/json" \
  -n "JSON spec" "$run $work/json vendor.com/gpu=0" \
  -n "YAML spec" "$run $work/yaml vendor.com/gpu=0" >/dev/null
cat "$work/table.md"
# Means suffer from the outliers of a busy machine; medians are given beside them.
"$deno" eval --quiet '
  const results = JSON.parse(Deno.readTextFileSync(Deno.args[0])).results;
  const base = results[0].median;
  console.log("\nmedians: " + results.map((result) =>
    `${result.command} ${(result.median * 1000).toFixed(1)} ms ` +
    `(${(result.median / base).toFixed(2)}x)`
  ).join(", "));
' "$work/times.json"
