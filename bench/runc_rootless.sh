#!/bin/sh
# Rootless `plash runc ID true` as plash-sub (a subordinate range, newuidmap) and plash-nosub
# (only its own id), this checkout beside BASE (another checkout, its start bundle built: the
# code before a change), in one hyperfine run. Needs root (to set up), hyperfine, runc, uidmap
# and busybox-static; the users are made by scripts/test_users.sh. Leaves nothing behind but
# the start bundle in dist/js.
#
#   BASE=/tmp/plash-before bench/runc_rootless.sh     # RUNS=10 by default, after 3 warm-ups
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
runs=${RUNS:-10}
base=${BASE:?BASE: a checkout of the code to compare with}
[ "$(id -u)" = 0 ] || { echo "runc_rootless.sh: needs root to set up" >&2; exit 1; }

work=$(mktemp -d /tmp/plash-bench-runc-rootless.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT INT TERM
"$deno" task bundle >/dev/null 2>&1
"$deno" run -A --quiet "$root/scripts/busybox_rootfs.ts" "$work/rootfs" >/dev/null

set --
for user in plash-sub plash-nosub; do
  # setpriv keeps root's environment: HOME must be the user's, or Deno finds no cache it may use.
  as_user="setpriv --reuid=$user --regid=$user --init-groups env HOME=$(getent passwd "$user" | cut -d: -f6)"
  mkdir "$work/$user" && cp -a "$work/rootfs" "$work/$user/layer" && chown -R "$user:" "$work/$user"
  data=$work/$user/data
  $as_user env PLASH_DATA="$data" "$root/bin/plash" init >/dev/null
  id=$($as_user env PLASH_DATA="$data" "$root/bin/plash" add-layer 0 "$work/$user/layer")
  set -- "$@" -n "$user: plash runc ID true (before)" \
    "$as_user env PLASH_DATA=$data $base/bin/plash runc $id true" \
    -n "$user: plash runc ID true (after)" \
    "$as_user env PLASH_DATA=$data $root/bin/plash runc $id true"
done

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); kernel $(uname -r); nproc $(nproc); load $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$work/table.md" "$@" >&2
echo
cat "$work/table.md"
