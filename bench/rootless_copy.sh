#!/bin/sh
# Issue 23: `plash copy ID DIR` as you (run it as the user to measure: plash-sub has a subordinate
# range), before and after, side by side in one hyperfine run: before is a checkout of the old
# code at $BASE (default /tmp/plash-base, e.g. `git archive main | tar -x -C ...` with
# node_modules linked and `deno task bundle` run there), after is this checkout. Two images: the
# busybox fixture (every file yours: nothing for namespace root to do), and it with one file of
# container uid 1000 (a chown by the clone child). $RUNS runs each (default 5); DIR is removed
# before each run with `plash sudo rm -rf`. The store is a new temp dir, printed at the end.
set -e
base=${BASE:-/tmp/plash-base}
here=$(cd "$(dirname "$0")/.." && pwd)
plash=$here/bin/plash
dir=$(mktemp -d)
export PLASH_DATA="$dir/store"
"$plash" init >/dev/null
cp -a "$(cd "$here" && node_modules/.bin/deno run -A scripts/busybox_rootfs.ts)" "$dir/busybox"
busybox=$("$plash" add-layer 0 "$dir/busybox")
owned=$("$plash" build --from "$busybox" --run 'echo f > /f; (chown 1000:1000 /f 2>/dev/null || true); chmod 4755 /f')
hyperfine -N -w 1 -r "${RUNS:-5}" --prepare "$plash sudo rm -rf $dir/copy" \
  -n "before busybox" "$base/bin/plash copy $busybox $dir/copy" \
  -n "after busybox" "$plash copy $busybox $dir/copy" \
  -n "before busybox+1000" "$base/bin/plash copy $owned $dir/copy" \
  -n "after busybox+1000" "$plash copy $owned $dir/copy"
echo "store: $dir"
