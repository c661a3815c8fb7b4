#!/bin/sh
# Mount-less mode benchmark (issue 21), as root with CAP_SYS_ADMIN dropped
# (setpriv, as in docker's default capabilities), in two hyperfine runs:
# 1. an uncached one-line build layer on the Debian minbase fixture (a warm
#    copy of the tree claimed from the store's pool and recorded, or after a
#    removal a fresh copy; the step, the diff, the copy reverted and pooled)
#    beside `cp -a` of that tree on the same filesystem, with and without
#    removing the copy after it;
# 2. a fully cached mount-less build beside `plash nodepath ID`.
# Needs root, hyperfine, setpriv and the Debian fixture
# (scripts/debootstrap_rootfs.ts). Prints the tables and the ratios of the
# medians; leaves nothing behind.
#
#   bench/mountless.sh             # 5 builds and copies, 30 cached builds
#   RUNS=10 CACHED_RUNS=100 bench/mountless.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
plash=$root/bin/plash
runs=${RUNS:-5}
cached_runs=${CACHED_RUNS:-30}
[ "$(id -u)" = 0 ] || { echo "mountless.sh: needs root" >&2; exit 1; }
debian=$("$deno" run -A --quiet "$root/scripts/debootstrap_rootfs.ts")

work=$(mktemp -d /tmp/plash-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

export PLASH_DATA="$work/data"
nomount="setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin"
"$plash" init
cp -a "$debian" "$work/rootfs"
id=$("$plash" add-layer 0 "$work/rootfs")
$nomount "$plash" run "$id" true 2>/dev/null # the once-per-store notice
# Each build's line differs ($$ of its shell), so that none is cached.
build="$nomount $plash build -f $id --run \"echo \$\$ > /line\""
cached="$nomount $plash build -f $id --run 'echo cached > /line'"
eval "$cached" >/dev/null 2>&1 # fill the cache
[ -z "$(eval "$cached" 2>&1 >/dev/null)" ] || { echo "mountless.sh: not cached" >&2; exit 1; }
files=$(find "$debian" | wc -l)
size=$(du -sh "$debian" | cut -f1)

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: nproc $(nproc), kernel $(uname -r), $(stat -f -c %T "$work") at $work"
echo "deno: $("$deno" --version | head -1); $(hyperfine --version)"
echo "tree: $debian, $files entries, $size"
echo

# The build removes its copy before it ends, and ext4 then makes the next
# files slow to create (see set_aside.sh): cp -a pays that too by removing its
# copy, and is measured alone, its copy set aside, beside.
hyperfine --warmup 1 --runs "$runs" --export-markdown "$work/build.md" \
  --export-json "$work/build.json" \
  --prepare "sync; $root/bench/set_aside.sh $work/cp" \
  -n "mount-less build, one uncached line" "$build" \
  -n "cp -a of the tree, then rm -rf of the copy" "cp -a $debian $work/cp && rm -rf $work/cp" \
  -n "cp -a of the tree" "cp -a $debian $work/cp" >&2
hyperfine -N --warmup 5 --runs "$cached_runs" --export-markdown "$work/cached.md" \
  --export-json "$work/cached.json" \
  -n "mount-less build, cached" "$cached" \
  -n "plash nodepath ID" "$nomount $plash nodepath $id" >&2

echo
cat "$work/build.md"
echo
cat "$work/cached.md"
"$deno" eval --quiet '
  const ratio = (file) => {
    const [a, b] = JSON.parse(Deno.readTextFileSync(file)).results.slice(0, 2);
    return `${(a.median * 1000).toFixed(1)} / ${(b.median * 1000).toFixed(1)} ms = ` +
      `${(a.median / b.median).toFixed(2)}x`;
  };
  const [build, , cp] = JSON.parse(Deno.readTextFileSync(Deno.args[0])).results;
  console.log(`\nbuild / (cp -a, rm -rf): ${ratio(Deno.args[0])} by median (goal: <= 2x)`);
  console.log(
    `build / cp -a alone: ${(build.median * 1000).toFixed(1)} / ${(cp.median * 1000).toFixed(1)}` +
      ` ms = ${(build.median / cp.median).toFixed(2)}x by median`,
  );
  console.log(`cached build / nodepath: ${ratio(Deno.args[1])} by median (goal: <= 1.1x)`);
' "$work/build.json" "$work/cached.json"
