#!/bin/sh
# Start-up beside the peers, in one hyperfine run on one busybox rootfs, each running `true`:
# a bare Deno start, root `plash run ID true`, the same as a user with a subordinate id range
# (plash-sub) and as one without (plash-nosub), upstream plash (C) `run 1 true`, runc of a
# hand-made bundle, bwrap, `unshare -m chroot` and `podman run --rm`. Prints the machine facts,
# hyperfine's markdown table and each command's median against bare Deno.
#
# Needs root, hyperfine and busybox-static; rows whose tool is missing (runc, bwrap, podman)
# are skipped with a line saying so. Upstream plash is built here, in the temp dir, with the
# system's cc from its public repository (https://github.com/ihucos/plash), which the machine
# running the bench need not reach: PLASH_UPSTREAM names a checkout of it or its git directory
# (a bare mirror is fine); without it that row is skipped. Users plash-sub and plash-nosub are
# made as scripts/test-rootless.sh makes them (plash-nosub's lines in /etc/subuid and
# /etc/subgid removed). Leaves nothing behind but those users and the bundle in dist/js.
#
#   PLASH_UPSTREAM=~/src/plash bench/peers.sh      # 30 runs of each after 5 warm-up runs
#   RUNS=100 PLASH_UPSTREAM=/path/to/plash.git bench/peers.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/runc_bundle.sh"
deno=$root/node_modules/.bin/deno
runs=${RUNS:-30}
[ "$(id -u)" = 0 ] || { echo "peers.sh: needs root (root runs, runc, podman, the users)" >&2; exit 1; }

work=$(mktemp -d /tmp/plash-bench-peers.XXXXXX)
chmod 755 "$work"
podman_flags="--root $work/podman/root --runroot $work/podman/run --tmpdir $work/podman/tmp
  --storage-driver vfs --runtime runc --events-backend file --cgroup-manager cgroupfs"
cleanup() {
  if [ -d "$work/podman" ]; then
    # shellcheck disable=SC2086 # the flags are words
    podman $podman_flags rmi --all --force >/dev/null 2>&1 || true
  fi
  if grep -q " $work" /proc/self/mountinfo; then
    echo "peers.sh: something is mounted in $work, not removing it" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT INT TERM

. "$root/scripts/test_users.sh"
make_test_users
# setpriv keeps root's environment: HOME must be the user's, or Deno finds no cache it may use.
as_user() {
  echo "setpriv --reuid=$1 --regid=$1 --init-groups env HOME=$(getent passwd "$1" | cut -d: -f6)"
}

"$deno" task bundle >/dev/null 2>&1
"$deno" run -A --quiet "$root/scripts/busybox_rootfs.ts" "$work/rootfs" >/dev/null
cp -a "$work/rootfs" "$work/layer" # add-layer moves its directory into the store
PLASH_DATA="$work/data" "$root/bin/plash" init # only init makes a data directory
id=$(PLASH_DATA="$work/data" "$root/bin/plash" add-layer 0 "$work/layer")
for user in plash-sub plash-nosub; do
  mkdir "$work/$user" && cp -a "$work/rootfs" "$work/$user/layer" && chown -R "$user:" "$work/$user"
  $(as_user "$user") env PLASH_DATA="$work/$user/data" "$root/bin/plash" init
  user_id=$($(as_user "$user") env PLASH_DATA="$work/$user/data" "$root/bin/plash" add-layer 0 \
    "$work/$user/layer")
  [ "$user_id" = 1 ] || { echo "peers.sh: $user's image is $user_id, not 1" >&2; exit 1; }
done

set -- \
  -n "bare deno run -A --quiet bench/empty.ts" "$deno run -A --quiet $root/bench/empty.ts" \
  -n "plash run ID true (root)" "env PLASH_DATA=$work/data $root/bin/plash run $id true" \
  -n "plash run ID true (rootless, subuid range)" \
  "$(as_user plash-sub) PLASH_DATA=$work/plash-sub/data $root/bin/plash run 1 true" \
  -n "plash run ID true (rootless, no range)" \
  "$(as_user plash-nosub) PLASH_DATA=$work/plash-nosub/data $root/bin/plash run 1 true"

versions="deno $("$deno" --version | head -1 | cut -d' ' -f2); $(hyperfine --version)"
if [ -n "${PLASH_UPSTREAM:-}" ]; then
  mkdir "$work/upstream"
  if [ -f "$PLASH_UPSTREAM/run.c" ]; then
    cp "$PLASH_UPSTREAM"/*.c "$PLASH_UPSTREAM"/*.h "$work/upstream/"
    commit=$(git -C "$PLASH_UPSTREAM" rev-parse --short HEAD 2>/dev/null || echo "a checkout")
  else
    # Only the C sources, file by file: a mirror may lack the blobs of large test fixtures,
    # which git archive would stop at.
    for file in $(git --git-dir="$PLASH_UPSTREAM" ls-tree --name-only HEAD | grep -E '\.(c|h)$'); do
      git --git-dir="$PLASH_UPSTREAM" show "HEAD:$file" >"$work/upstream/$file"
    done
    commit=$(git --git-dir="$PLASH_UPSTREAM" rev-parse --short HEAD)
  fi
  (cd "$work/upstream" && cc -O2 -I. ./*.c -o plash)
  versions="$versions; upstream plash $commit ($(cc --version | head -1))"
  # The same store: upstream plash reads plash's layout (it makes a changes dir in tmp/ a run).
  set -- "$@" -n "upstream plash (C) run 1 true" \
    "env PLASH_DATA=$work/data $work/upstream/plash run $id true"
else
  echo "peers.sh: PLASH_UPSTREAM not set (a checkout or git dir of github.com/ihucos/plash): no upstream row" >&2
fi
if command -v runc >/dev/null 2>&1; then
  make_runc_bundle runc
  versions="$versions; $(runc --version | head -1)"
  set -- "$@" -n "runc run (hand-made bundle)" "runc --root $work/runc run --bundle $work/bundle bench"
else
  echo "peers.sh: no runc: no runc row" >&2
fi
if command -v bwrap >/dev/null 2>&1; then
  versions="$versions; $(bwrap --version)"
  set -- "$@" -n "bwrap --bind ROOTFS / --proc /proc --dev /dev true" \
    "bwrap --bind $work/rootfs / --proc /proc --dev /dev true"
else
  echo "peers.sh: no bwrap: no bwrap row" >&2
fi
set -- "$@" -n "unshare -m chroot ROOTFS true" "unshare -m chroot $work/rootfs true"
if command -v podman >/dev/null 2>&1; then
  mkdir "$work/podman"
  # shellcheck disable=SC2086 # the flags are words
  tar -C "$work/rootfs" -c . | podman $podman_flags import -q - localhost/bench-busybox >/dev/null
  versions="$versions; $(podman --version)"
  # As podman runs here (see DESIGN.md): runc, cgroupfs, file events, ulimits under the host's.
  set -- "$@" -n "podman run --rm" "podman $podman_flags run --rm --ulimit nofile=1024:1024
    --ulimit nproc=1024:1024 --network=none localhost/bench-busybox true"
else
  echo "peers.sh: no podman: no podman row" >&2
fi

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: nproc $(nproc), kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "$versions"
echo "plash-sub's range: $(grep '^plash-sub:' /etc/subuid | head -1); plash-nosub: none"
echo

hyperfine -N --warmup 5 --runs "$runs" --export-markdown "$work/table.md" \
  --export-json "$work/table.json" "$@" >&2
echo
cat "$work/table.md"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$work/table.json" <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
bare = results[0]["median"]
print("| command | median [ms] | x bare Deno (medians) |")
print("| :-- | --: | --: |")
for result in results:
    print(f"| {result['command']} | {result['median'] * 1000:.1f} | {result['median'] / bare:.2f} |")
EOF
