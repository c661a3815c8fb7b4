#!/bin/sh
# Rootless `plash create ID true` and an uncached one-step `plash build --run` as an
# unprivileged user with a subordinate range, this checkout beside a baseline (BASE_REF, by
# default main), in one hyperfine run. Both sides run from their sources (`git archive` of
# each, no start bundle), so that they start alike. Every build's command string is new (a
# counter), so no build finds its layer in the cache. Needs root (to set up), hyperfine and
# uidmap. Leaves nothing behind but the user plash-sub, which scripts/test-rootless.sh makes too.
#
#   bench/create_rootless.sh                  # 10 runs of each after 2 warm-up runs
#   RUNS=30 BASE_REF=6c2f67e bench/create_rootless.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
runs=${RUNS:-10}
base_ref=${BASE_REF:-main}
user=plash-sub
[ "$(id -u)" = 0 ] || { echo "create_rootless.sh: needs root to set up" >&2; exit 1; }
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$user"

work=$(mktemp -d /tmp/plash-bench.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT INT TERM
as_user="setpriv --reuid=$user --regid=$user --init-groups env HOME=$(getent passwd "$user" | cut -d: -f6)"

"$deno" run -A --quiet "$root/scripts/busybox_rootfs.ts" "$work/rootfs" >/dev/null
for side in new base; do
  ref=HEAD
  [ "$side" = base ] && ref=$base_ref
  mkdir "$work/$side"
  git -C "$root" archive "$ref" | tar -x -C "$work/$side"
  ln -s "$root/node_modules" "$work/$side/node_modules"
  mkdir "$work/$side-store"
  cp -a "$work/rootfs" "$work/$side-store/layer"
  echo 0 >"$work/$side-store/counter"
  chown -R "$user:" "$work/$side-store"
  $as_user env PLASH_DATA="$work/$side-store/data" "$work/$side/bin/plash" init
  $as_user env PLASH_DATA="$work/$side-store/data" "$work/$side/bin/plash" \
    add-layer 0 "$work/$side-store/layer" >/dev/null
  # One uncached build: a command string no build of this store had.
  cat >"$work/$side-build.sh" <<SCRIPT
#!/bin/sh
n=\$((\$(cat $work/$side-store/counter) + 1))
echo \$n >$work/$side-store/counter
exec env PLASH_DATA=$work/$side-store/data $work/$side/bin/plash build -q --from-id 1 --run "true \$n"
SCRIPT
  chmod 755 "$work/$side-build.sh"
done

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); kernel $(uname -r); nproc $(nproc); load $(cut -d' ' -f1 /proc/loadavg)"
echo "new: $(git -C "$root" rev-parse --short HEAD); base: $(git -C "$root" rev-parse --short "$base_ref")"
hyperfine -N --warmup 2 --runs "$runs" --export-markdown "$work/table.md" \
  -n "base: create 1 true" "$as_user env PLASH_DATA=$work/base-store/data $work/base/bin/plash create 1 true" \
  -n "new: create 1 true" "$as_user env PLASH_DATA=$work/new-store/data $work/new/bin/plash create 1 true" \
  -n "base: build -f 1 --run 'true N'" "$as_user $work/base-build.sh" \
  -n "new: build -f 1 --run 'true N'" "$as_user $work/new-build.sh" >&2
echo
cat "$work/table.md"
