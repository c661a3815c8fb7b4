#!/bin/sh
# Release archive benchmark: `plash run ID true` from the unpacked x86_64 archive
# (`deno task dist`, built here from the sources as they are), from its one-file form
# (unpacked by a first start before), the archive's Deno through the glibc loader it carries
# and started directly (the host's glibc), both without the launcher, with a Deno cache it
# cannot write (no code cache), beside the checkout's bin/plash and a bare Deno start, in one
# hyperfine run on one busybox image; then the archives' sizes. Needs root, hyperfine, python3 and
# busybox-static; leaves nothing behind (the Deno runtimes fetched from npm and Debian's
# packages stay in dist/cache). Deno's code cache and the one file's are kept in the temp dir
# (XDG_CACHE_HOME), the same for every command.
#
#   bench/dist.sh            # 50 runs of each after 10 warm-up runs
#   RUNS=200 bench/dist.sh
#   ROUNDS=5 RUNS=20 bench/dist.sh                  # on a loaded machine
#   DIST_CACHE=.fixtures/npm-packs bench/dist.sh   # dist's downloads from the tests' cache
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
runs=${RUNS:-50}
rounds=${ROUNDS:-1}
[ "$(id -u)" = 0 ] || { echo "dist.sh: plash run needs root" >&2; exit 1; }

work=$(mktemp -d /tmp/plash-bench-dist.XXXXXX)
export XDG_CACHE_HOME="$work/cache"
cleanup() {
  # plash run mounts only inside its own mount namespace; refuse to delete through a mount.
  if grep -q " $work" /proc/self/mountinfo; then
    echo "dist.sh: something is mounted in $work, not removing it" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT INT TERM

"$deno" run -A "$root/scripts/dist.ts" --out "$work/dist" --cache "${DIST_CACHE:-$root/dist/cache}" >/dev/null
mkdir "$work/opt" "$work/ro-cache"
tar -xzf "$work"/dist/plash-*-linux-x86_64.tar.gz -C "$work/opt"
opt=$(echo "$work"/opt/plash-*)
lib=$opt/lib/plash
one_file=$work/dist/${opt##*/}
loader=$(echo "$lib"/glibc/ld-linux-*)
# The launcher's run line, after its program.
args="run -A --quiet --v8-flags=--no-lazy --config $lib/deno.json $lib/dist/js/cli.js run"
export PLASH_DATA="$work/data"
"$opt/bin/plash" init >/dev/null # only init makes a data directory
"$deno" run -A --quiet "$root/scripts/busybox_rootfs.ts" "$work/rootfs" >/dev/null
cp -a "$work/rootfs" "$work/layer" # add-layer moves its directory into the store
id=$("$opt/bin/plash" add-layer 0 "$work/layer")
# Deno's code cache, in $XDG_CACHE_HOME/deno, filled by these first starts.
"$opt/bin/plash" run "$id" true
"$one_file" run "$id" true # the first start unpacks it
if [ -f "$root/dist/js/cli.js" ]; then checkout="the start bundle"; else checkout="the sources"; fi
chmod 555 "$work/ro-cache"

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: nproc $(nproc), kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "archive: $("$opt/bin/plash" version); $(hyperfine --version)"
echo

# ROUNDS hyperfine runs one after the other: on a shared machine the load moves between the
# commands of one run; the median of each round's medians, and the CPU time, move less.
round=1
while [ "$round" -le "$rounds" ]; do
  hyperfine -N --warmup 10 --runs "$runs" --export-markdown "$work/table.md" \
    --export-json "$work/times-$round.json" \
    -n "archive: bin/plash run ID true" "$opt/bin/plash run $id true" \
    -n "one file: plash-VERSION-linux-x86_64 run ID true (unpacked before)" "$one_file run $id true" \
    -n "archive: its deno through its glibc loader, without the launcher" \
    "$loader --library-path $lib/glibc $lib/deno $args $id true" \
    -n "archive: its deno started directly (the host's glibc), without the launcher" \
    "$lib/deno $args $id true" \
    -n "archive: bin/plash, no code cache (DENO_DIR not writable)" \
    "env DENO_DIR=/proc/plash-no-cache $opt/bin/plash run $id true" \
    -n "checkout: bin/plash run ID true ($checkout)" "$root/bin/plash run $id true" \
    -n "deno run -A --quiet bench/empty.ts" "$deno run -A --quiet $root/bench/empty.ts" >&2
  round=$((round + 1))
done

echo "the last round:"
cat "$work/table.md"
echo
# Commands in the order above; the ratios are of medians of medians and of CPU times.
python3 - "$work"/times-*.json <<'EOF'
import json, statistics, sys
rounds = [json.load(open(path))["results"] for path in sys.argv[1:]]
names = [each["command"] for each in rounds[0]]
median = [statistics.median(r[i]["median"] for r in rounds) * 1000 for i in range(len(names))]
cpu = [statistics.median(r[i]["user"] + r[i]["system"] for r in rounds) * 1000 for i in range(len(names))]
low = [min(r[i]["min"] for r in rounds) * 1000 for i in range(len(names))]
print(f"{len(rounds)} round(s): median of medians, CPU (user + system), min [ms]")
for name, m, c, l in zip(names, median, cpu, low):
    print(f"  {m:6.1f} {c:6.1f} {l:6.1f}  {name}")
def ratio(what, a, b):
    print(f"{what}: {median[a] / median[b]:.3f}x by median, {cpu[a] / cpu[b]:.3f}x by CPU")
ratio("one file / archive", 1, 0)
ratio("deno through the carried loader / deno directly", 2, 3)
ratio("archive (launcher, loader) / deno directly", 0, 3)
ratio("archive / bare deno", 0, 6)
ratio("checkout / bare deno", 5, 6)
EOF
echo
echo "archive sizes:"
for archive in "$work"/dist/plash-*; do
  wc -c <"$archive" | awk -v name="${archive##*/}" '{ printf "%s: %d bytes (%.1f MB)\n", name, $1, $1 / 1e6 }'
done
