#!/bin/sh
# Peak resident memory of `plash import-tar` on decompression bombs (issue 26):
# 1 and 4 GiB of zeros, each one gzip member (`gzip -1`) and one zstd frame
# (`zstd -1`), an empty archive followed by what the reader reads and
# ignores; the same as xz (`xz -1`); then a tar of one 1 GiB file of zeros,
# whose contents are written; then `import-oci` of a layout whose one layer is
# the gzip bomb (the layer path: its digest and diff_id checked as it reads).
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
  head -c "${gib}G" /dev/zero | xz -1 -T0 >"$work/zeros-${gib}g.xz"
done

# An OCI layout at $1 whose one layer is the gzip bomb $2 of $3 GiB.
layout() {
  mkdir -p "$1/blobs/sha256"
  diff_id=$(head -c "${3}G" /dev/zero | sha256sum | cut -d' ' -f1)
  layer=$(sha256sum <"$2" | cut -d' ' -f1)
  cp "$2" "$1/blobs/sha256/$layer"
  printf '{"architecture":"%s","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$(dpkg --print-architecture)" "$diff_id" >"$1/config"
  config=$(sha256sum <"$1/config" | cut -d' ' -f1)
  mv "$1/config" "$1/blobs/sha256/$config"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$config" "$(stat -c %s "$1/blobs/sha256/$config")" "$layer" "$(stat -c %s "$2")" >"$1/manifest"
  manifest=$(sha256sum <"$1/manifest" | cut -d' ' -f1)
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s}]}' \
    "$manifest" "$(stat -c %s "$1/manifest")" >"$1/index.json"
  mv "$1/manifest" "$1/blobs/sha256/$manifest"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$1/oci-layout"
}
layout "$work/layout-1g" "$work/zeros-1g.gz" 1
layout "$work/layout-4g" "$work/zeros-4g.gz" 4
truncate -s 1G "$work/zero"
tar -C "$work" -cf - zero | gzip -1 >"$work/file-1g.tar.gz"
rm "$work/zero"

for plash in ${BEFORE:-} "$after"; do
  for bomb in zeros-1g.gz zeros-4g.gz zeros-1g.zst zeros-4g.zst zeros-1g.xz zeros-4g.xz \
    file-1g.tar.gz; do
    rm -rf "$PLASH_DATA" && "$plash" init >/dev/null
    /usr/bin/time -f "$plash import-tar $bomb: peak %M KiB, %e s, user %U s" \
      "$plash" import-tar "$work/$bomb" >/dev/null
  done
  for bomb in layout-1g layout-4g; do
    rm -rf "$PLASH_DATA" && "$plash" init >/dev/null
    /usr/bin/time -f "$plash import-oci $bomb: peak %M KiB, %e s, user %U s" \
      "$plash" import-oci "$work/$bomb" >/dev/null
  done
done
rm -rf "$work"/zeros-* "$work"/file-* "$work"/layout-*

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
