#!/bin/sh
# Archive throughput: plash import-tar (plain, zstd, gzip) and export-tar of
# the debootstrap Debian minbase tree against GNU tar on the same archive or
# tree, each pair in one hyperfine run (every run into a fresh directory),
# then peak RSS (GNU time) for the tree and for a tar of one 2 GiB file, then
# scale: 100,000 small files, and an image of 100 layers (export-oci and
# import-oci of it, export-tar). Needs root (debootstrap, owners), hyperfine,
# zstd, GNU time (package `time`).
#
#   bench/tar.sh                 # on a tmpfs (/dev/shm): the program's own cost
#   WHERE=/var/tmp bench/tar.sh  # on a disk
#   RUNS=10 PARTS=pairs bench/tar.sh   # PARTS: pairs, memory, scale (default: all)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
plash=${PLASH_BIN:-$root/bin/plash}  # PLASH_BIN: another checkout's bin/plash, to compare
runs=${RUNS:-5}
parts=${PARTS:-pairs memory scale}
[ "$(id -u)" = 0 ] || { echo "tar.sh: needs root (debootstrap, owners)" >&2; exit 1; }

work=$(mktemp -d "${WHERE:-/dev/shm}/plash-bench-tar.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
data=$work/data
# Each run starts from a fresh data directory and x/, the last ones set aside (see
# bench/set_aside.sh), and on a disk with nothing left to write back: `sync`.
fresh="$root/bench/set_aside.sh $data $work/x && mkdir $work/x && PLASH_DATA=$data $plash init >/dev/null && sync"

tree=$("$deno" run -A --quiet "$root/scripts/debootstrap_rootfs.ts")
tar --xattrs -C "$tree" -cf "$work/debian.tar" .
zstd -q -3 "$work/debian.tar" -o "$work/debian.tar.zst"
gzip -6 -c "$work/debian.tar" >"$work/debian.tar.gz"

echo "machine: $(nproc) cpus, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "where: $work ($(stat -f -c %T "$work")); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $("$deno" --version | head -1), $(tar --version | head -1), $(hyperfine --version)"
echo "archive: $(stat -c %s "$work/debian.tar") bytes, $(tar -tf "$work/debian.tar" | wc -l) entries"

# pair NAME PLASH_ARGS TAR_ARGS: one hyperfine run, plash then GNU tar.
pair() {
  hyperfine -N --runs "$runs" --warmup 1 --export-markdown "$work/$1.md" \
    --prepare "sh -c '$fresh'" \
    --command-name "plash $2" "env PLASH_DATA=$data $plash $2" \
    --command-name "tar $3" "tar $3" >/dev/null
  cat "$work/$1.md"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# peak NAME COMMAND...: wall time and peak RSS of one run.
peak() {
  name=$1
  shift
  /usr/bin/time -f "$name: %e s, user %U s, sys %S s, peak RSS %M KB" "$@" >"$work/peak.out"
}

case $parts in *pairs*)
  pair import "import-tar $work/debian.tar" "-C $work/x -xf $work/debian.tar"
  pair import-zstd "import-tar $work/debian.tar.zst" "--zstd -C $work/x -xf $work/debian.tar.zst"
  pair import-gzip "import-tar $work/debian.tar.gz" "-C $work/x -xzf $work/debian.tar.gz"
  sh -c "$fresh" && PLASH_DATA=$data "$plash" import-tar "$work/debian.tar" >/dev/null
  layer=$(PLASH_DATA=$data "$plash" nodepath 1)/_data/root
  hyperfine -N --runs "$runs" --warmup 1 --export-markdown "$work/export.md" \
    --prepare "sh -c 'rm -f $work/out.tar && sync'" \
    --command-name "plash export-tar 1 FILE" "env PLASH_DATA=$data $plash export-tar 1 $work/out.tar" \
    --command-name "tar -C LAYER -cf FILE ." "tar -C $layer -cf $work/out.tar ." >/dev/null
  cat "$work/export.md"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  ;;
esac

case $parts in *memory*)
  sh -c "$fresh"
  export PLASH_DATA=$data
  peak "import-tar Debian" "$plash" import-tar "$work/debian.tar"
  peak "import-tar Debian .zst" "$plash" import-tar "$work/debian.tar.zst"
  peak "export-tar Debian" "$plash" export-tar 1 "$work/out.tar"
  rm -f "$work/out.tar" "$work/debian.tar.gz"
  mkdir "$work/big"
  head -c 2147483648 /dev/zero >"$work/big/file"
  tar -C "$work/big" -cf "$work/big.tar" .
  rm -rf "$work/big"
  big=$(PLASH_DATA=$data "$plash" import-tar "$work/big.tar")
  rm -f "$work/big.tar"
  peak "export-tar one 2 GiB file" "$plash" export-tar "$big" "$work/big.tar"
  peak "import-tar one 2 GiB file" "$plash" import-tar "$work/big.tar"
  peak "tar -xf one 2 GiB file" tar -C "$work/x" -xf "$work/big.tar"
  rm -rf "$work/big.tar" "$work/x"/* "$data"
  ;;
esac

case $parts in *scale*)
  sh -c "$fresh"
  export PLASH_DATA=$data
  # 100,000 files of 100 bytes in 100 directories.
  "$deno" eval "
    for (let d = 0; d < 100; d++) {
      Deno.mkdirSync('$work/small/d' + d, { recursive: true });
      for (let f = 0; f < 1000; f++) Deno.writeTextFileSync('$work/small/d' + d + '/f' + f, 'x'.repeat(100));
    }"
  tar -C "$work/small" -cf "$work/small.tar" .
  rm -rf "$work/small"
  peak "import-tar 100,000 files" "$plash" import-tar "$work/small.tar"
  id=$(cat "$work/peak.out")
  peak "tar -xf 100,000 files" tar -C "$work/x" -xf "$work/small.tar"
  peak "export-tar 100,000 files" "$plash" export-tar "$id" "$work/out.tar"
  peak "tar -cf 100,000 files" tar -C "$work/x" -cf "$work/out2.tar" .
  rm -rf "$work/small.tar" "$work/out.tar" "$work/out2.tar" "$work/x"
  # 100 layers of 100 files (1 KiB) each, every one on the one before.
  parent=0
  for i in $(seq 1 100); do
    mkdir "$work/layer"
    for f in $(seq 1 100); do head -c 1024 /dev/urandom >"$work/layer/l${i}f$f"; done
    parent=$("$plash" add-layer "$parent" "$work/layer")
    rm -rf "$work/layer"
  done
  peak "export-tar 100 layers" "$plash" export-tar "$parent" "$work/deep.tar"
  peak "export-oci 100 layers" "$plash" export-oci "$parent" "$work/deep-oci.tar"
  peak "import-oci 100 layers" "$plash" import-oci "$work/deep-oci.tar"
  peak "import-tar of its export-tar" "$plash" import-tar "$work/deep.tar"
  ;;
esac
