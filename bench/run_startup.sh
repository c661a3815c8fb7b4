#!/bin/sh
# Start-up benchmark: `plash run ID true` (bin/plash, which runs the start bundle that
# `deno task bundle` writes, built here first) and the same from the TypeScript sources,
# beside a bare Deno start, `unshare -m chroot` and bwrap on the same busybox rootfs, in one
# hyperfine run. Needs root, hyperfine, bubblewrap and busybox-static. Prints the machine
# facts, hyperfine's markdown table and the ratio plash / bare Deno; leaves nothing behind
# but the bundle in dist/js.
#
#   bench/run_startup.sh            # 50 runs of each after 10 warm-up runs
#   RUNS=200 bench/run_startup.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
runs=${RUNS:-50}
[ "$(id -u)" = 0 ] || { echo "run_startup.sh: plash run needs root" >&2; exit 1; }

work=$(mktemp -d /tmp/plash-bench.XXXXXX)
cleanup() {
  # plash run mounts only inside its own mount namespace; refuse to delete through a mount.
  if grep -q " $work" /proc/self/mountinfo; then
    echo "run_startup.sh: something is mounted in $work, not removing it" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT INT TERM

"$deno" task bundle >/dev/null 2>&1
export PLASH_DATA="$work/data"
"$deno" run -A --quiet "$root/scripts/busybox_rootfs.ts" "$work/rootfs" >/dev/null
cp -a "$work/rootfs" "$work/layer" # add-layer moves its directory into the store
"$root/bin/plash" init # only init makes a data directory
id=$("$root/bin/plash" add-layer 0 "$work/layer")
mkdir "$work/floor"
lower="$("$root/bin/plash" nodepath "$id")/_data/root"

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: nproc $(nproc), kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "deno: $("$deno" --version | head -1); $(hyperfine --version); $(bwrap --version)"
echo

hyperfine -N --warmup 10 --runs "$runs" --export-markdown "$work/table.md" \
  -n "plash run ID true" "$root/bin/plash run $id true" \
  -n "plash run ID true, the bundle without the bin/plash launcher" \
  "$deno run -A --quiet --v8-flags=--no-lazy --config $root/deno.json $root/dist/js/cli.js run $id true" \
  -n "plash run ID true, from the sources (cli.ts)" \
  "$deno run -A --quiet --v8-flags=--no-lazy --config $root/deno.json $root/cli.ts run $id true" \
  -n "deno run -A --quiet bench/empty.ts" "$deno run -A --quiet $root/bench/empty.ts" \
  -n "the floor: bench/floor.ts, the same mounts in a bare Deno script" \
  "$deno run -A --quiet $root/bench/floor.ts $work/floor $lower" \
  -n "unshare -m chroot ROOTFS true" "unshare -m chroot $work/rootfs true" \
  -n "bwrap --bind ROOTFS / --proc /proc --dev /dev true" \
  "bwrap --bind $work/rootfs / --proc /proc --dev /dev true" >&2

echo
cat "$work/table.md"
# Column 3 of the table is "mean ± sigma"; rows 1 to 5 are plash, the bundle without the
# launcher, the sources, bare Deno and the floor.
awk -F'|' '/^\| `/ { split($3, m, " "); mean[++n] = m[1] }
  END { printf "\nplash run / bare deno: %.2fx, the bundle alone %.2fx, the sources %.2fx\n",
    mean[1] / mean[4], mean[2] / mean[4], mean[3] / mean[4]
    printf "the floor / bare deno: %.2fx; plash run / the floor: %.2fx\n",
    mean[5] / mean[4], mean[1] / mean[5] }' \
  "$work/table.md"
