#!/bin/sh
# Rootless start-up: `plash run ID true` as an unprivileged user (user namespace, ids mapped
# through newuidmap) beside root `plash run ID true` and `bwrap --unshare-user` as the same
# user on the same busybox rootfs, in one hyperfine run. Needs root (to make the user and the
# root run), hyperfine, bubblewrap, uidmap and busybox-static. Leaves nothing behind but the
# user plash-sub, which scripts/test-rootless.sh makes too.
#
#   bench/rootless.sh               # 50 runs of each after 10 warm-up runs
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
runs=${RUNS:-50}
user=plash-sub
[ "$(id -u)" = 0 ] || { echo "rootless.sh: needs root to set up" >&2; exit 1; }
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$user"

work=$(mktemp -d /tmp/plash-bench.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT INT TERM
# setpriv keeps root's environment: HOME must be the user's, or Deno finds no cache it may use.
as_user="setpriv --reuid=$user --regid=$user --init-groups env HOME=$(getent passwd "$user" | cut -d: -f6)"

"$deno" run -A --quiet "$root/scripts/busybox_rootfs.ts" "$work/rootfs" >/dev/null
cp -a "$work/rootfs" "$work/root-layer"
PLASH_DATA="$work/root-data" "$root/bin/plash" init # only init makes a data directory
root_id=$(PLASH_DATA="$work/root-data" "$root/bin/plash" add-layer 0 "$work/root-layer")
mkdir "$work/user" && cp -a "$work/rootfs" "$work/user/layer" && chown -R "$user:" "$work/user"
$as_user env PLASH_DATA="$work/user/data" "$root/bin/plash" init
user_id=$($as_user env PLASH_DATA="$work/user/data" "$root/bin/plash" add-layer 0 "$work/user/layer")

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); kernel $(uname -r); nproc $(nproc)"
echo "$user's ranges: $(grep "^$user:" /etc/subuid | head -1)"
hyperfine -N --warmup 10 --runs "$runs" --export-markdown "$work/table.md" \
  -n "root: plash run ID true" "env PLASH_DATA=$work/root-data $root/bin/plash run $root_id true" \
  -n "user: plash run ID true" \
  "$as_user env PLASH_DATA=$work/user/data $root/bin/plash run $user_id true" \
  -n "user: bwrap --unshare-user --bind ROOTFS / true" \
  "$as_user bwrap --unshare-user --bind $work/rootfs / --proc /proc --dev /dev true" >&2
echo
cat "$work/table.md"
