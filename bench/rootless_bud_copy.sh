#!/bin/sh
# Issue 23: a rootless `plash bud --no-cache` of a two-line Dockerfile (FROM a local image, COPY a
# file), run as the user to measure (plash-sub has a subordinate range), before and after side by
# side in one hyperfine run: before is a checkout of the old code at $BASE (default
# /tmp/plash-base, e.g. `git archive main | tar -x -C ...` with node_modules linked and `deno task
# bundle` run there), after is this checkout. Before, the COPY made bud start again in plash's
# user namespace; after, it writes the layer as you in one start. `--chown` adds a chown by the
# clone child. $RUNS runs each (default 5). The store is a new temp dir, printed at the end.
set -e
base=${BASE:-/tmp/plash-base}
here=$(cd "$(dirname "$0")/.." && pwd)
plash=$here/bin/plash
dir=$(mktemp -d)
export PLASH_DATA="$dir/store"
"$plash" init >/dev/null
cp -a "$(cd "$here" && node_modules/.bin/deno run -A scripts/busybox_rootfs.ts)" "$dir/busybox"
busybox=$("$plash" add-layer 0 "$dir/busybox")
mkdir "$dir/ctx" "$dir/chown"
echo f >"$dir/ctx/f"
echo f >"$dir/chown/f"
printf 'FROM %s\nCOPY f /f\n' "$busybox" >"$dir/ctx/Dockerfile"
printf 'FROM %s\nCOPY --chown=1000:1000 f /f\n' "$busybox" >"$dir/chown/Dockerfile"
hyperfine -N -w 1 -r "${RUNS:-5}" \
  -n "before COPY" "$base/bin/plash bud -q --no-cache $dir/ctx" \
  -n "after COPY" "$plash bud -q --no-cache $dir/ctx" \
  -n "before COPY --chown" "$base/bin/plash bud -q --no-cache $dir/chown" \
  -n "after COPY --chown" "$plash bud -q --no-cache $dir/chown"
echo "store: $dir"
