#!/bin/sh
# Rootless `plash rm ID` as plash-sub, this checkout beside a baseline one (BASELINE, a
# checkout of the base with its start bundle built), in one hyperfine run: a one-layer image of
# the caller's own files (add-layer of a busybox tree), and a layer of a build step whose files
# include a directory of a subordinate id closed to the caller (the namespace child removes it).
# Each run's image is made by --prepare. Needs root to set up, hyperfine and busybox-static.
#
#   git archive BASE | tar -x -C /tmp/base && ln -s "$PWD/node_modules" /tmp/base/
#   (cd /tmp/base && node_modules/.bin/deno task bundle)
#   BASELINE=/tmp/base RUNS=10 bench/rm_rootless.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
base=${BASELINE:?BASELINE: a checkout of the base to compare with}
deno=$root/node_modules/.bin/deno
runs=${RUNS:-10}
user=plash-sub
[ "$(id -u)" = 0 ] || { echo "rm_rootless.sh: needs root to set up" >&2; exit 1; }
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$user"

work=$(mktemp -d /tmp/plash-bench.XXXXXX)
chmod 755 "$work"
# plash purge first: the store may hold files of the user's subordinate ids.
trap '$as_user env PLASH_DATA="$work/user/data" "$root/bin/plash" purge --yes; rm -rf "$work"' \
  EXIT INT TERM
as_user="setpriv --reuid=$user --regid=$user --init-groups env HOME=$(getent passwd "$user" | cut -d: -f6)"

"$deno" run -A --quiet "$root/scripts/busybox_rootfs.ts" "$work/rootfs" >/dev/null
mkdir "$work/user" && cp -a "$work/rootfs" "$work/user/layer" && chown -R "$user:" "$work/user"
plash="$as_user env PLASH_DATA=$work/user/data"
$plash "$root/bin/plash" init
busybox=$($plash "$root/bin/plash" add-layer 0 "$work/user/layer")
own="cp -a $work/rootfs $work/user/own && chown -R $user: $work/user/own &&
  $plash $root/bin/plash map rmbench \$($plash $root/bin/plash add-layer 0 $work/user/own)"
script='mkdir -p /d/e && touch /d/e/f && chown -R 1000:1000 /d && chmod 700 /d'
sub="$plash $root/bin/plash map rmbench \$($plash $root/bin/plash build --from $busybox --run '$script' 2>/dev/null)"

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); kernel $(uname -r); nproc $(nproc); load $(cut -d' ' -f1 /proc/loadavg)"
hyperfine --runs "$runs" --export-markdown "$work/table.md" \
  --prepare "$own" -n "before: rm, own files" "$plash $base/bin/plash rm rmbench" \
  --prepare "$own" -n "after: rm, own files" "$plash $root/bin/plash rm rmbench" \
  --prepare "$sub" -n "before: rm, subordinate ids' files" "$plash $base/bin/plash rm rmbench" \
  --prepare "$sub" -n "after: rm, subordinate ids' files" "$plash $root/bin/plash rm rmbench" >&2
echo
cat "$work/table.md"
