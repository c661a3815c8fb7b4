#!/bin/sh
# Issue 23: `plash import-tar ARCHIVE` as you (run it as the user to measure: plash-sub has a
# subordinate range), before and after, side by side in one hyperfine run: before is a checkout
# of the old code at $BASE (default /tmp/plash-base, e.g. `git archive main | tar -x -C ...` with
# node_modules linked), after is this checkout. $RUNS runs each (default 5). Each side imports
# into a store of its own in a new temp dir, printed at the end (its layers hold your
# subordinate ids' files: remove it with `plash purge` or as root).
set -e
archive=${1:?usage: rootless_import.sh ARCHIVE}
base=${BASE:-/tmp/plash-base}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
PLASH_DATA=$dir/before "$base/bin/plash" init >/dev/null
PLASH_DATA=$dir/after "$here/bin/plash" init >/dev/null
hyperfine -N -w 1 -r "${RUNS:-5}" \
  -n before "env PLASH_DATA=$dir/before $base/bin/plash import-tar $archive" \
  -n after "env PLASH_DATA=$dir/after $here/bin/plash import-tar $archive"
echo "stores: $dir"
