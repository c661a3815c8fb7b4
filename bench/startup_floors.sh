#!/bin/sh
# Start-up against the floors (issue 23), in one hyperfine run: root `plash run ID true` beside
# bench/floor.ts; rootless `plash run ID true` as plash-sub (a subordinate range) and
# plash-nosub (none) beside bench/floor_rootless.ts (`range` and `own`); a fully cached
# 5-layer `plash build` as root and as both users beside `plash nodepath ID`; `plash run` of a
# 301-layer image beside its 1-layer base, and floor.ts on the same two layer lists (what plash
# mounts: the layers above the image's checkpoint and the checkpoint), and both again with all
# 301 layers (PLASH_CHECKPOINTS=off; floor.ts on every layer). Needs
# root (to set up, and for the root rows), hyperfine, uidmap, busybox-static, and the users
# that `. scripts/test_users.sh; make_test_users` makes. Leaves nothing behind but dist/js.
#
#   RUNS=30 bench/startup_floors.sh      # 30 runs of each after 5 warm-up runs
#   RUNS=30 ROUNDS=60 bench/startup_floors.sh   # then each pair 60 times in turn (interleaved_cpu.py)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
plash=$root/bin/plash
runs=${RUNS:-30}
[ "$(id -u)" = 0 ] || { echo "startup_floors.sh: needs root to set up" >&2; exit 1; }
for user in plash-sub plash-nosub; do
  id "$user" >/dev/null 2>&1 || { echo "startup_floors.sh: no user $user" >&2; exit 1; }
done

work=$(mktemp -d /tmp/plash-bench.XXXXXX)
chmod 755 "$work"
cleanup() {
  if grep -q " $work" /proc/self/mountinfo; then
    echo "startup_floors.sh: something is mounted in $work, not removing it" >&2
  else
    for user in plash-sub plash-nosub; do
      [ ! -d "$work/$user/data" ] || as "$user" env PLASH_DATA="$work/$user/data" "$plash" purge --yes >/dev/null 2>&1 || true
    done
    rm -rf "$work"
  fi
}
trap cleanup EXIT INT TERM
# setpriv keeps root's environment: HOME must be the user's, or Deno finds no cache it may use.
as() {
  user=$1
  shift
  setpriv --reuid="$user" --regid="$user" --init-groups env HOME="$(getent passwd "$user" | cut -d: -f6)" "$@"
}

"$deno" task bundle >/dev/null 2>&1
"$deno" run -A --quiet "$root/scripts/busybox_rootfs.ts" "$work/rootfs" >/dev/null
layers() { # the lower directories plash mounts for image $2 in store $1, top first, as lowerdir
  PLASH_DATA=$1 "$deno" eval --quiet "import { Store } from '$root/core/store/store.ts';
    import { mountedLayers } from '$root/core/store/checkpoint.ts';
    const store = Store.open(); console.log(mountedLayers(store, store.chain($2)).layers.join(':'))"
}
build_args="-f 1"
for layer in 1 2 3 4 5; do
  build_args="$build_args --run 'echo $layer > /layer$layer'"
  [ $layer = 5 ] || build_args="$build_args --layer"
done

# Root's store: the busybox image (1), 300 layers of one file on it (301), the build cached.
export PLASH_DATA="$work/root/data"
mkdir -p "$work/root" && cp -a "$work/rootfs" "$work/root/layer"
"$plash" init
"$plash" add-layer 0 "$work/root/layer" >/dev/null
i=1
while [ $i -le 300 ]; do
  mkdir "$work/root/l" && echo $i >"$work/root/l/f$i"
  "$plash" add-layer $i "$work/root/l" >/dev/null
  i=$((i + 1))
done
eval "$plash build $build_args" >/dev/null 2>&1
built=$(eval "$plash build $build_args" 2>/dev/null)
mkdir "$work/floor1" "$work/floor301"
lower1=$(layers "$PLASH_DATA" 1)
lower301=$(layers "$PLASH_DATA" 301)
all301=$(PLASH_CHECKPOINTS=off layers "$PLASH_DATA" 301)
mkdir "$work/floorall"
# Each user's store: the busybox image and the build, cached.
for user in plash-sub plash-nosub; do
  mkdir -p "$work/$user/scratch" && cp -a "$work/rootfs" "$work/$user/layer"
  chown -R "$user:" "$work/$user"
  as "$user" env PLASH_DATA="$work/$user/data" "$plash" init
  as "$user" env PLASH_DATA="$work/$user/data" "$plash" add-layer 0 "$work/$user/layer" >/dev/null
  eval "as $user env PLASH_DATA=$work/$user/data $plash build $build_args" >/dev/null 2>&1
  cp -a "$work/rootfs" "$work/$user/lower" && chown -R "$user:" "$work/$user/lower"
done
range=$(grep "^plash-sub:" /etc/subuid | head -1 | cut -d: -f2,3 | tr : ' ')

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: nproc $(nproc), kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "deno: $("$deno" --version | head -1); $(hyperfine --version); plash-sub's range: $range"
echo

# As each user, with the user's HOME (Deno keeps its caches there).
sub="setpriv --reuid=plash-sub --regid=plash-sub --init-groups env HOME=$(getent passwd plash-sub | cut -d: -f6)"
nosub="setpriv --reuid=plash-nosub --regid=plash-nosub --init-groups env HOME=$(getent passwd plash-nosub | cut -d: -f6)"
subdata="PLASH_DATA=$work/plash-sub/data"
nosubdata="PLASH_DATA=$work/plash-nosub/data"
hyperfine -N --warmup 5 --runs "$runs" --export-markdown "$work/table.md" \
  --export-json "$work/times.json" \
  -n "root: plash run ID true" "$plash run 1 true" \
  -n "root: bench/floor.ts" "$deno run -A --quiet $root/bench/floor.ts $work/floor1 $lower1" \
  -n "plash-sub: plash run ID true" "$sub $subdata $plash run 1 true" \
  -n "plash-sub: bench/floor_rootless.ts range" "$sub $deno run -A --quiet $root/bench/floor_rootless.ts $work/plash-sub/scratch $work/plash-sub/lower range $range" \
  -n "plash-nosub: plash run ID true" "$nosub $nosubdata $plash run 1 true" \
  -n "plash-nosub: bench/floor_rootless.ts own" "$nosub $deno run -A --quiet $root/bench/floor_rootless.ts $work/plash-nosub/scratch $work/plash-nosub/lower own" \
  -n "root: plash build (5 layers, cached)" "$plash build $build_args" \
  -n "root: plash nodepath ID" "$plash nodepath $built" \
  -n "plash-sub: plash build (5 layers, cached)" "$sub $subdata $plash build $build_args" \
  -n "plash-sub: plash nodepath ID" "$sub $subdata $plash nodepath 1" \
  -n "root: plash run ID301 true" "$plash run 301 true" \
  -n "root: bench/floor.ts, 301 layers" "$deno run -A --quiet $root/bench/floor.ts $work/floor301 $lower301" \
  -n "root: plash run ID301 true, all layers" "env PLASH_CHECKPOINTS=off $plash run 301 true" \
  -n "root: bench/floor.ts, all 301 layers" "$deno run -A --quiet $root/bench/floor.ts $work/floorall $all301" >&2

echo
cat "$work/table.md"
"$deno" eval --quiet '
  const results = JSON.parse(Deno.readTextFileSync(Deno.args[0])).results;
  const median = (i) => results[i].median * 1000;
  // CPU time (user + system, children included) suffers less from a busy machine than wall time.
  const cpu = (i) => (results[i].user + results[i].system) * 1000;
  const ratio = (a, b, what) => console.log(`${what}: median ${median(a).toFixed(2)} / ${median(b).toFixed(2)} ms = ${(median(a) / median(b)).toFixed(2)}x; cpu ${cpu(a).toFixed(2)} / ${cpu(b).toFixed(2)} ms = ${(cpu(a) / cpu(b)).toFixed(2)}x`);
  ratio(0, 1, "root run / floor.ts");
  ratio(2, 3, "plash-sub run / floor_rootless range");
  ratio(4, 5, "plash-nosub run / floor_rootless own");
  ratio(6, 7, "root cached build / nodepath");
  ratio(8, 9, "plash-sub cached build / nodepath");
  ratio(10, 0, "root run 301 layers / 1 layer");
  ratio(11, 1, "floor.ts 301 layers / 1 layer");
  ratio(12, 0, "root run 301 layers, all mounted / 1 layer");
  ratio(13, 1, "floor.ts all 301 layers / 1 layer");
' "$work/times.json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# With ROUNDS=N, the same pairs again, run in turn N times by bench/interleaved_cpu.py (CPU time;
# each ratio the median of the ratios within a round), which a change of load moves less.
[ -n "${ROUNDS:-}" ] || exit 0
echo
echo "interleaved, $ROUNDS rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"
interleaved=$root/bench/interleaved_cpu.py
# The third: the same run without bin/plash's sh launcher (Deno started as the launcher starts it),
# for the launcher's share.
"$interleaved" "root: bench/floor.ts=$deno run -A --quiet $root/bench/floor.ts $work/floor1 $lower1" \
  "root: plash run ID true=$plash run 1 true" \
  "root: the same, no launcher=$deno run -A --quiet --v8-flags=--no-lazy,--single-threaded,--no-sparkplug --config $root/deno.json $root/dist/js/cli.js run 1 true"
$sub $subdata "$interleaved" \
  "plash-sub: floor_rootless.ts range=$deno run -A --quiet $root/bench/floor_rootless.ts $work/plash-sub/scratch $work/plash-sub/lower range $range" \
  "plash-sub: plash run ID true=$plash run 1 true"
$nosub $nosubdata "$interleaved" \
  "plash-nosub: floor_rootless.ts own=$deno run -A --quiet $root/bench/floor_rootless.ts $work/plash-nosub/scratch $work/plash-nosub/lower own" \
  "plash-nosub: plash run ID true=$plash run 1 true"
# $build_args keeps its quotes here: interleaved_cpu.py splits each command as a shell would.
"$interleaved" "root: plash nodepath ID=$plash nodepath $built" \
  "root: plash build (5 layers, cached)=$plash build $build_args"
$sub $subdata "$interleaved" "plash-sub: plash nodepath ID=$plash nodepath 1" \
  "plash-sub: plash build (5 layers, cached)=$plash build $build_args"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
