#!/bin/sh
# Peak resident memory of `plash import-tar` on decompression bombs (issue 26):
# 1 and 4 GiB of zeros, each one gzip member (`gzip -1`) and one zstd frame
# (`zstd -1`), an empty archive followed by what the reader reads and
# ignores; then a tar of one 1 GiB file of zeros, whose contents are written.
# Each under GNU time (package `time`), for this checkout and, with BEFORE set
# to another checkout's bin/plash, for that one too, one run each. Then the
# Debian tree's .tar.gz and .tar.zst imports of both side by side in one
# hyperfine run (RUNS, default 5), which the decompression's move out of the
# worker could slow. Run as root (the Debian fixture).
#
#   BEFORE=/work/main/bin/plash bench/import_memory.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
after=$root/bin/plash
runs=${RUNS:-5}

work=$(mktemp -d "${WHERE:-/dev/shm}/plash-bench-bombs.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
export PLASH_DATA=$work/data

echo "machine: $(nproc) cpus, $(uname -r); load: $(cut -d' ' -f1-3 /proc/loadavg)"
for gib in 1 4; do
  head -c "${gib}G" /dev/zero | gzip -1 >"$work/zeros-${gib}g.gz"
  head -c "${gib}G" /dev/zero | zstd -q -1 >"$work/zeros-${gib}g.zst"
done
truncate -s 1G "$work/zero"
tar -C "$work" -cf - zero | gzip -1 >"$work/file-1g.tar.gz"
rm "$work/zero"

for plash in ${BEFORE:-} "$after"; do
  for bomb in zeros-1g.gz zeros-4g.gz zeros-1g.zst zeros-4g.zst file-1g.tar.gz; do
    rm -rf "$PLASH_DATA" && "$plash" init >/dev/null
    /usr/bin/time -f "$plash import-tar $bomb: peak %M KiB, %e s, user %U s" \
      "$plash" import-tar "$work/$bomb" >/dev/null
  done
done
rm -rf "$work"/zeros-* "$work"/file-*

tree=$("$deno" run -A --quiet "$root/scripts/debootstrap_rootfs.ts")
tar --xattrs -C "$tree" -cf - . | gzip -6 >"$work/debian.tar.gz"
tar --xattrs -C "$tree" -cf - . | zstd -q -3 >"$work/debian.tar.zst"
fresh="rm -rf $PLASH_DATA && $after init >/dev/null && sync"
for archive in debian.tar.gz debian.tar.zst; do
  set -- --command-name "after: import-tar $archive" "$after import-tar $work/$archive"
  [ -n "${BEFORE:-}" ] && set -- --command-name "before: import-tar $archive" \
    "$BEFORE import-tar $work/$archive" "$@"
  hyperfine -N --runs "$runs" --warmup 1 --prepare "sh -c '$fresh'" \
    --export-markdown "$work/out.md" "$@" >/dev/null
  cat "$work/out.md"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
