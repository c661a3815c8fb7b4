#!/bin/sh
# Dockerfile benchmark (issue 22): `plash bud` beside `buildah bud --layers --isolation
# chroot` (root, overlay storage in a directory of its own) on the debootstrap Debian, in one
# hyperfine run each:
#   1. the 10-instruction Dockerfile of the issue, cold (--no-cache: every step runs);
#   2. the same, fully cached;
#   3. the cached `plash bud` beside `plash nodepath ID` (the store lookup alone);
#   4. a COPY of a 100,000-file context (--no-cache) beside `cp -a` of it.
# Needs root, hyperfine, buildah and the debootstrap fixture (.fixtures, built by the tests).
# Prints the machine facts and hyperfine's tables; leaves nothing behind.
#
#   bench/bud.sh                    # RUNS=10 runs of 1-3, COPY_RUNS=3 of 4
#   COPY_RUNS=0 bench/bud.sh        # 1-3 only (no 100,000-file context made)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
plash=$root/bin/plash
runs=${RUNS:-10}
copy_runs=${COPY_RUNS:-3}
[ "$(id -u)" = 0 ] || { echo "bud.sh: buildah and the fixture copy need root" >&2; exit 1; }

# Lower case only: buildah names what it pulls from an oci: directory after its path.
work=/var/tmp/plash-bench-bud.$$
mkdir "$work"
buildah="buildah --root $work/buildah --runroot $work/buildah-run --storage-driver overlay"
cleanup() {
  $buildah rm --all >/dev/null 2>&1 || true
  $buildah rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

export PLASH_DATA="$work/data"
"$plash" init
cp -a "$("$deno" run -A --quiet "$root/scripts/debootstrap_rootfs.ts")" "$work/debian"
base=$("$plash" add-layer 0 "$work/debian")
"$plash" tag "$base" localhost/debian
"$plash" export-oci "$base" "$work/debian-oci" >/dev/null
$buildah tag "$($buildah pull -q "oci:$work/debian-oci")" localhost/debian

mkdir -p "$work/ctx/src"
for i in 1 2 3 4 5; do echo "file $i" >"$work/ctx/src/f$i.txt"; done
cat >"$work/ctx/Dockerfile" <<'DOCKERFILE'
FROM localhost/debian
ENV APP=/srv/app
WORKDIR /srv/app
COPY src/ ./
RUN useradd --create-home app
RUN cat *.txt > all.txt
RUN chown -R app: /srv/app
ARG GREETING=hello
USER app
CMD ["cat", "all.txt"]
DOCKERFILE

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: nproc $(nproc), kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "deno: $("$deno" --version | head -1); $(buildah --version); $(hyperfine --version)"
echo

table() { hyperfine -N --style basic --export-markdown "$work/table.md" "$@" >&2; cat "$work/table.md"; echo; }

id=$("$plash" bud -q "$work/ctx")
$buildah bud --layers --isolation chroot -q "$work/ctx" >/dev/null
echo "## 1. cold (--no-cache), $runs runs"
table --warmup 1 --runs "$runs" \
  -n "plash bud --no-cache" "$plash bud -q --no-cache $work/ctx" \
  -n "buildah bud --layers --no-cache" \
  "$buildah bud --layers --no-cache --isolation chroot -q $work/ctx"
echo "## 2. fully cached, $runs runs"
table --warmup 2 --runs "$runs" \
  -n "plash bud (cached)" "$plash bud -q $work/ctx" \
  -n "buildah bud --layers (cached)" "$buildah bud --layers --isolation chroot -q $work/ctx"
echo "## 3. cached bud against nodepath, $((runs * 5)) runs"
table --warmup 5 --runs "$((runs * 5))" \
  -n "plash bud (cached)" "$plash bud -q $work/ctx" \
  -n "plash nodepath ID" "$plash nodepath $id"
[ "$copy_runs" -gt 0 ] || exit 0
# 100 directories of 1000 files of a few bytes each.
mkdir -p "$work/big"
"$deno" eval --quiet '
  const root = Deno.args[0];
  for (let d = 0; d < 100; d++) {
    Deno.mkdirSync(`${root}/d${d}`);
    for (let f = 0; f < 1000; f++) Deno.writeTextFileSync(`${root}/d${d}/f${f}`, `${d}/${f}\n`);
  }
' "$work/big"
printf 'FROM localhost/debian\nCOPY . /big/\n' >"$work/big/Dockerfile"

echo "## 4. a 100,000-file COPY, $copy_runs runs"
table --warmup 0 --runs "$copy_runs" --prepare "sh $root/bench/set_aside.sh $work/copy; sync" \
  -n "plash bud: COPY . /big/ (--no-cache)" "$plash bud -q --no-cache $work/big" \
  -n "cp -a" "cp -a $work/big $work/copy"
