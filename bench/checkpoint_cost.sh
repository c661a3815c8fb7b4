#!/bin/sh
# What a checkpoint costs to make (issue 23, depth): `plash add-layer` of an empty directory
# onto the Debian minbase tree (.fixtures/debian-bookworm) at depth K-1, so that the new image
# is at depth K and gets a checkpoint of the whole tree, beside the same add-layer with
# PLASH_CHECKPOINTS=off, in one hyperfine run; then the disk a checkpoint takes (du). Needs
# root, hyperfine and the fixture (scripts/debootstrap_rootfs.ts). Leaves nothing behind.
#
#   RUNS=10 bench/checkpoint_cost.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
plash=$root/bin/plash
runs=${RUNS:-10}
[ "$(id -u)" = 0 ] || { echo "checkpoint_cost.sh: needs root" >&2; exit 1; }
debian=$("$deno" run -A --quiet "$root/scripts/debootstrap_rootfs.ts")

work=$(mktemp -d /tmp/plash-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
"$deno" task bundle >/dev/null 2>&1
export PLASH_DATA="$work/data"
"$plash" init
cp -a "$debian" "$work/debian"
top=$("$plash" add-layer 0 "$work/debian")
every=$("$deno" eval --quiet "import { CHECKPOINT_EVERY } from '$root/core/store/checkpoint.ts';
  console.log(CHECKPOINT_EVERY)")
depth=1
while [ $depth -lt $((every - 1)) ]; do
  mkdir "$work/l" && echo $depth >"$work/l/f$depth"
  top=$("$plash" add-layer "$top" "$work/l")
  depth=$((depth + 1))
done

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "K = $every; the new image's depth: $((depth + 1)); Debian: $(du -sh "$debian" | cut -f1)"
hyperfine -N --warmup 2 --runs "$runs" --prepare "mkdir $work/empty" \
  --export-markdown "$work/table.md" \
  -n "add-layer at depth K (a checkpoint)" "$plash add-layer $top $work/empty" \
  -n "add-layer at depth K, PLASH_CHECKPOINTS=off" \
  "env PLASH_CHECKPOINTS=off $plash add-layer $top $work/empty" >&2
echo
cat "$work/table.md"
mkdir "$work/last"
checkpoint="$("$plash" nodepath "$("$plash" add-layer "$top" "$work/last")")/_data/checkpoint"
# du counts an inode once, at its first path: after the Debian layer, the checkpoint's own.
own=$(du -sk "$("$plash" nodepath 1)/_data/root" "$checkpoint" | tail -1 | cut -f1)
echo "disk of one checkpoint beside its layers: $own KiB, $(find "$checkpoint" -type d | wc -l) directories"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
