#!/bin/sh
# plash's main job end to end, with no internet: install what is needed, make a
# base image from Debian's busybox-static, build an image on it with the build
# language (two cached layers), and run a command in it.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup-debian.sh
# The start path pre-built (bin/plash runs it): esbuild comes from the npm registry.
node_modules/.bin/deno task bundle
export PATH="$PWD/bin:$PATH"
export PLASH_DATA="${PLASH_DATA:-$HOME/.plashdata}"
plash init # only init makes the data directory (safe to run again)

# A base image: any tar archive of a root filesystem will do.
rootfs=$(node_modules/.bin/deno run -A scripts/busybox_rootfs.ts)
archive=$(mktemp -d)/busybox-rootfs.tar.gz
tar -C "$rootfs" -czf "$archive" .

id=$(plash build --from-tar "$archive" \
  --run 'echo "hello from a plash container" > /greeting' \
  --layer \
  --run 'echo "built on $(cat /greeting | wc -c) bytes of greeting" > /second')
echo "built image $id:"
plash run "$id" sh -c 'cat /greeting /second; echo "my pid is $$, my root holds $(ls / | wc -l) entries"'
echo "a second build is all cache: $(plash build --from-tar "$archive" \
  --run 'echo "hello from a plash container" > /greeting' \
  --layer \
  --run 'echo "built on $(cat /greeting | wc -c) bytes of greeting" > /second')"
rm -r "$(dirname "$archive")"
