#!/bin/sh
# Pull benchmark: `plash import-docker` of a ~100 MB (compressed) image from a
# registry on 127.0.0.1 against `skopeo copy docker://... oci:DIR` followed by
# `umoci unpack` of the same image, in one hyperfine run; each run starts from
# nothing (fresh PLASH_DATA, fresh OCI dir and bundle, via --prepare).
# The image: the debootstrap Debian minbase layer (scripts/debian_layer.ts,
# ~60 MB gzip) and a 40 MB layer of random data. Needs root (debootstrap,
# umoci unpack keeps owners), docker-registry, skopeo, umoci, hyperfine.
#
# Each --prepare sets the last run's output aside (bench/set_aside.sh: on a
# disk, a tree removed just before slows every file created after it) and
# ends with `sync`: a run then starts with none of the dirty pages the run
# before left behind.
#
#   bench/pull.sh                    # 5 runs of each after 1 warm-up run, on /tmp
#   RUNS=10 bench/pull.sh
#   WHERE=/dev/shm bench/pull.sh     # both sides on a tmpfs: the programs' own cost
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
plash=$root/bin/plash
runs=${RUNS:-5}
[ "$(id -u)" = 0 ] || { echo "pull.sh: needs root (debootstrap, umoci unpack)" >&2; exit 1; }

work=$(mktemp -d "${WHERE:-/tmp}/plash-bench-pull.XXXXXX")
registry_pid=""
cleanup() {
  [ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
. "$root/bench/registry.sh"

debian=$("$deno" run -A --quiet "$root/scripts/debian_layer.ts")
mkdir "$work/padding"
head -c 40000000 /dev/urandom >"$work/padding/random"
tar -C "$work/padding" -cf - . | gzip -1 >"$work/padding.tar.gz"

start_registry "$work"
"$deno" run -A --quiet "$root/bench/push_image.ts" "$host" bench/debian:latest "$debian" "$work/padding.tar.gz"

echo "where: $work ($(stat -f -c %T "$work")); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cpus, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "versions: $("$deno" --version | head -1), $(skopeo --version), $(umoci --version), $(hyperfine --version)"
hyperfine --runs "$runs" --warmup 1 --export-markdown "$work/table.md" \
  --prepare "$root/bench/set_aside.sh $work/plashdata && PLASH_DATA=$work/plashdata $plash init && sync" \
  --command-name "plash import-docker" \
  "PLASH_DATA=$work/plashdata $plash import-docker $host/bench/debian:latest" \
  --prepare "$root/bench/set_aside.sh $work/oci $work/bundle && sync" \
  --command-name "skopeo copy + umoci unpack" \
  "skopeo copy -q --src-tls-verify=false docker://$host/bench/debian:latest oci:$work/oci:latest && umoci unpack --image $work/oci:latest $work/bundle >/dev/null"
cat "$work/table.md"
