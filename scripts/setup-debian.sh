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
# peak RSS): the memory tests. qemu-user-static, binfmt-support and the arm64 C
# library by multiarch: the aarch64 release archive's tests, under emulation. runc and
# crun: plash runc and bundle (crun for the test of a runtime this host's hybrid cgroups
# refuse), bench/runc.sh; podman and runc load and run what plash exports (Debian's
# podman runs containers here only with runc, see DESIGN.md). zsh and fish: the tests
# load the completion scripts plash writes. python3-seccomp: the old-kernel tests' seccomp
# filter. fuse-overlayfs: rootless plash's overlay on kernels before 5.11. e2fsprogs
# (mkfs.ext4): the full-disk test's filesystem on a loop device. strace: a test counts
# plash's starts. buildah: the differential test of plash bud and its benchmark. bzip2:
# the archive that plash bud's ADD refuses to copy packed.
packages="strace busybox-static zstd xz-utils bzip2 debootstrap hyperfine bubblewrap uidmap util-linux bsdutils tar zsh fish
docker-registry apache2-utils skopeo umoci time podman runc crun qemu-user-static binfmt-support libc6:arm64
libgcc-s1:arm64 python3-seccomp fuse-overlayfs e2fsprogs buildah"
update=""
# The arm64 packages (these, and the tests' busybox-static:arm64) need arm64's package lists.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $as_root dpkg --add-architecture arm64
  update=yes
fi
missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
    missing="$missing $package"
done
[ -z "$missing" ] || update=yes
[ -z "$update" ] || $as_root apt-get update -qq
if [ -n "$missing" ]; then
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq $missing >/dev/null
fi
# aarch64 executables run by qemu: binfmt_misc mounted, Debian's entry enabled (a no-op when it is).
binfmt=/proc/sys/fs/binfmt_misc
[ -e "$binfmt/status" ] || $as_root mount -t binfmt_misc binfmt_misc "$binfmt" ||
  echo "setup: binfmt_misc cannot be mounted here: the aarch64 tests will fail" >&2
[ -e "$binfmt/qemu-aarch64" ] && grep -qx enabled "$binfmt/qemu-aarch64" ||
  $as_root update-binfmts --enable qemu-aarch64
npm ci --no-audit --no-fund --loglevel=error
