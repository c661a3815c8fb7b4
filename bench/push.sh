#!/bin/sh
# Push benchmark: `plash push` (which packs, compresses and uploads the layers)
# of the debootstrap Debian image plus a 40 MB layer of random data (~100 MB
# gzip) to a registry on 127.0.0.1, against umoci repack of the same tree
# (the layer made from a bundle) followed by skopeo copy of that OCI layout
# to the same registry, in one hyperfine run. Every run starts from nothing
# the registry or a tool could reuse: plash's notes of where its blobs are
# removed, umoci's bundle made again, skopeo's blob location cache removed,
# and each run pushes to a repository of its own. Needs root (debootstrap,
# umoci keeps owners), docker-registry, skopeo, umoci, hyperfine.
#
#   bench/push.sh            # 5 runs of each after 1 warm-up run
#   RUNS=10 bench/push.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
plash=$root/bin/plash
runs=${RUNS:-5}
[ "$(id -u)" = 0 ] || { echo "push.sh: needs root (debootstrap, umoci)" >&2; exit 1; }

work=$(mktemp -d /tmp/plash-bench-push.XXXXXX)
registry_pid=""
cleanup() {
  [ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
. "$root/bench/registry.sh"

debian=$("$deno" run -A --quiet "$root/scripts/debootstrap_rootfs.ts")
mkdir "$work/padding"
head -c 40000000 /dev/urandom >"$work/padding/random"

# add-layer moves what it is given into the store: it gets copies.
export PLASH_DATA="$work/plashdata"
"$plash" init >/dev/null
cp -a "$debian" "$work/debian-copy"
cp -a "$work/padding" "$work/padding-copy"
base=$("$plash" add-layer 0 "$work/debian-copy")
image=$("$plash" add-layer "$base" "$work/padding-copy")

start_registry "$work"

# The peer's bundle: an empty image unpacked, the same two trees copied into its rootfs.
peer_prepare="rm -rf $work/oci $work/bundle /var/lib/containers/cache/blob-info-cache-v1.boltdb \
 && umoci init --layout $work/oci && umoci new --image $work/oci:bench \
 && umoci unpack --image $work/oci:bench $work/bundle >/dev/null \
 && cp -a $debian/. $work/padding/. $work/bundle/rootfs/ && echo \$((\$(cat $work/n 2>/dev/null || echo 0) + 1)) >$work/n"
plash_prepare="find $PLASH_DATA/layer -name notes -type d -prune -exec rm -rf {} + \
 && echo \$((\$(cat $work/n 2>/dev/null || echo 0) + 1)) >$work/n"

echo "machine: $(nproc) cpus, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "versions: $("$deno" --version | head -1), $(skopeo --version), $(umoci --version), $(hyperfine --version)"
hyperfine --runs "$runs" --warmup 1 --export-markdown "$work/table.md" \
  --prepare "$plash_prepare" \
  --command-name "plash push (gzip)" \
  "$plash push $image $host/bench/plash-\$(cat $work/n):1 >/dev/null" \
  --prepare "$plash_prepare" \
  --command-name "plash push --compress zstd" \
  "$plash push --compress zstd $image $host/bench/zstd-\$(cat $work/n):1 >/dev/null" \
  --prepare "$peer_prepare" \
  --command-name "umoci repack + skopeo copy" \
  "umoci repack --image $work/oci:bench $work/bundle && skopeo copy -q --dest-tls-verify=false oci:$work/oci:bench docker://$host/bench/skopeo-\$(cat $work/n):1"
cat "$work/table.md"
# What each side sent: the sizes of the layers in the registry.
ls -l "$work/storage/docker/registry/v2/blobs/sha256"/*/*/data | awk '$5 > 1000000 { print $5 }' | sort -n | uniq
