#!/bin/sh
# Cached-build benchmark: a fully cached `plash build` of a 5-layer build beside
# `plash nodepath ID` (the store lookup alone), in one hyperfine run. Needs root
# (the first build runs its layers), hyperfine and busybox-static. Prints the
# machine facts, hyperfine's markdown table and the ratios build / nodepath
# (of the medians and of the means); leaves nothing behind.
#
#   bench/build_cache.sh            # 100 runs of each after 10 warm-up runs
#   RUNS=300 bench/build_cache.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
plash=$root/bin/plash
runs=${RUNS:-100}
[ "$(id -u)" = 0 ] || { echo "build_cache.sh: the first build needs root" >&2; exit 1; }

work=$(mktemp -d /tmp/plash-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

export PLASH_DATA="$work/data"
"$deno" run -A --quiet "$root/scripts/busybox_rootfs.ts" "$work/rootfs" >/dev/null
"$plash" init # only init makes a data directory
id=$("$plash" add-layer 0 "$work/rootfs")
build="$plash build -f $id"
for layer in 1 2 3 4 5; do
  build="$build --run 'echo $layer > /layer$layer'"
  [ $layer = 5 ] || build="$build --layer"
done
eval "$build" >/dev/null 2>&1 # fill the cache
built=$(eval "$build" 2>"$work/stderr")
[ ! -s "$work/stderr" ] || { echo "build_cache.sh: the second build ran something" >&2; exit 1; }
[ "$("$plash" run "$built" cat /layer5)" = 5 ] || { echo "build_cache.sh: bad image" >&2; exit 1; }

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: nproc $(nproc), kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "deno: $("$deno" --version | head -1); $(hyperfine --version)"
echo "build: $build"
echo

hyperfine -N --warmup 10 --runs "$runs" --export-markdown "$work/table.md" \
  --export-json "$work/times.json" \
  -n "plash build (5 layers, cached)" "$build" \
  -n "plash nodepath ID" "$plash nodepath $built" >&2

echo
cat "$work/table.md"
# Means suffer from the outliers of a busy machine; medians are given beside them.
"$deno" eval --quiet '
  const [build, nodepath] = JSON.parse(Deno.readTextFileSync(Deno.args[0])).results;
  const ratio = (key) => (build[key] / nodepath[key]).toFixed(2);
  const ms = (result) => (result.median * 1000).toFixed(1);
  console.log(`\nmedians: build ${ms(build)} ms, nodepath ${ms(nodepath)} ms`);
  console.log(`cached build / nodepath: ${ratio("median")}x by median, ${ratio("mean")}x by mean` +
    " (goal: <= 1.2x)");
' "$work/times.json"
