#!/bin/sh
# plash runc against the runtime alone: `plash runc ID true` (a throwaway bundle in the store,
# the overlay mounted, runc run, the bundle removed), `runc run` of a bundle made by hand from
# the same busybox rootfs (`runc spec`, its linux.resources dropped as these hosts need, the
# rootfs a plain directory), and `plash run ID true`, in one hyperfine run. Needs root,
# hyperfine, runc and busybox-static. Prints the machine facts and hyperfine's markdown table;
# leaves nothing behind but the start bundle in dist/js.
#
#   bench/runc.sh            # 30 runs of each after 5 warm-up runs
#   RUNS=100 bench/runc.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/runc_bundle.sh"
deno=$root/node_modules/.bin/deno
runs=${RUNS:-30}
[ "$(id -u)" = 0 ] || { echo "runc.sh: runc and plash runc need root here" >&2; exit 1; }
runc=$(command -v runc || echo /usr/sbin/runc)

work=$(mktemp -d /tmp/plash-bench-runc.XXXXXX)
cleanup() {
  if grep -q " $work" /proc/self/mountinfo; then
    echo "runc.sh: something is mounted in $work, not removing it" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT INT TERM

"$deno" task bundle >/dev/null 2>&1
export PLASH_DATA="$work/data"
"$root/bin/plash" init >/dev/null # only init makes a data directory
"$deno" run -A --quiet "$root/scripts/busybox_rootfs.ts" "$work/rootfs" >/dev/null
cp -a "$work/rootfs" "$work/layer" # add-layer moves its directory into the store
id=$("$root/bin/plash" add-layer 0 "$work/layer")

# The hand-made bundle: runc's own template, made runnable on a hybrid cgroup host.
make_runc_bundle "$runc"

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: nproc $(nproc), kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "deno: $("$deno" --version | head -1); $("$runc" --version | head -1); $(hyperfine --version)"
echo

hyperfine -N --warmup 5 --runs "$runs" --export-markdown "$work/table.md" \
  -n "plash runc ID true" "$root/bin/plash runc $id true" \
  -n "runc run (hand-made bundle) true" \
  "$runc --root $work/state run --bundle $work/bundle bench" \
  -n "plash run ID true" "$root/bin/plash run $id true" >&2

echo
cat "$work/table.md"
