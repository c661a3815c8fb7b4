#!/bin/sh
# Installs what plash's tests and benchmarks need on Debian 12 with Node 20:
# Debian packages for the fixtures and peers, then the npm packages (Deno
# itself comes from the npm package `deno`). Safe to run again.
set -eu
cd "$(dirname "$0")/.."
as_root=""
[ "$(id -u)" = 0 ] || as_root="sudo"
# docker-registry (the tests start their own), apache2-utils (htpasswd), skopeo and
# umoci (bench/pull.sh's peers): the registry tests and benchmark. time (GNU time's
# peak RSS): the memory tests. podman and runc: the export tests load and run what plash
# exports (Debian's podman runs containers here only with runc, see DESIGN.md).
packages="busybox-static zstd xz-utils debootstrap hyperfine bubblewrap uidmap util-linux bsdutils tar
docker-registry apache2-utils skopeo umoci time podman runc"
missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
    missing="$missing $package"
done
if [ -n "$missing" ]; then
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq $missing >/dev/null
fi
npm ci --no-audit --no-fund --loglevel=error
