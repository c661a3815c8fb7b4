#!/bin/sh
# Issue 23: `plash add-layer 0 DIR` as you (run it as the user to measure: plash-sub has a
# subordinate range) of a directory that is copied, not moved: yours, holding busybox and a
# setuid file of container uid 1000 (a `plash copy` of such an image), before and after side by
# side in one hyperfine run: before is a checkout of the old code at $BASE (default
# /tmp/plash-base, with node_modules linked and `deno task bundle` run there), after is this
# checkout. $RUNS runs each (default 5). Each side adds to a store of its own in a new temp dir,
# printed at the end (its layers hold your subordinate ids' files: remove it with `plash purge`).
set -e
base=${BASE:-/tmp/plash-base}
here=$(cd "$(dirname "$0")/.." && pwd)
plash=$here/bin/plash
dir=$(mktemp -d)
for side in before after; do PLASH_DATA=$dir/$side "$plash" init >/dev/null; done
export PLASH_DATA="$dir/after"
cp -a "$(cd "$here" && node_modules/.bin/deno run -A scripts/busybox_rootfs.ts)" "$dir/busybox"
busybox=$("$plash" add-layer 0 "$dir/busybox")
owned=$("$plash" build --from "$busybox" --run 'echo f > /f; chown 1000:1000 /f; chmod 4755 /f')
"$plash" copy "$owned" "$dir/layer"
hyperfine -N -w 1 -r "${RUNS:-5}" \
  -n before "env PLASH_DATA=$dir/before $base/bin/plash add-layer 0 $dir/layer" \
  -n after "env PLASH_DATA=$dir/after $plash add-layer 0 $dir/layer"
echo "stores: $dir"
