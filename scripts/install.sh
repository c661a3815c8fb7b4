#!/bin/sh
# Installs a plash release archive (`deno task dist`) into DIR as a prefix:
# DIR/bin/plash, DIR/lib/plash, DIR/share/doc/plash. DIR may hold other things
# (~/.local, /usr/local): only those three are replaced, and only once the new
# plash has run on this machine, so a failed install leaves the old one whole.
# Then plash is put on PATH: nothing to do when DIR/bin is on it; as root, a
# link in /usr/local/bin; else the line to add to your shell's profile.
#
# usage: sh scripts/install.sh DIR [ARCHIVE]
#   ARCHIVE defaults to this checkout's dist/plash-*-linux-$(uname -m).tar.gz
# Needs only sh, tar with gzip, and the usual file tools (busybox's will do).
set -eu

fail() {
  echo "plash error: install: $*" >&2
  exit 1
}

[ $# -ge 1 ] && [ $# -le 2 ] || {
  echo "usage: sh install.sh DIR [ARCHIVE]" >&2
  exit 2
}
dir=$1
archive=${2:-}
if [ -z "$archive" ]; then
  dist=$(dirname "$0")/../dist
  for candidate in "$dist"/plash-*-linux-"$(uname -m)".tar.gz; do
    [ -f "$candidate" ] || fail "no archive for $(uname -m) in $dist: run deno task dist, or name one"
    [ -z "$archive" ] || fail "more than one archive for $(uname -m) in $dist: name one"
    archive=$candidate
  done
fi
[ -f "$archive" ] || fail "$archive: no such file"

mkdir -p "$dir" || fail "$dir: cannot make it"
dir=$(cd "$dir" && pwd -P)
staging=$dir/.plash-install.$$
old=$dir/.plash-old.$$
trap 'rm -rf "$staging" "$old"' EXIT
trap 'exit 130' INT TERM
mkdir "$staging"
tar -xzf "$archive" -C "$staging" || fail "$archive: cannot unpack it"
set -- "$staging"/plash-*/bin/plash
[ -f "$1" ] || fail "$archive: not a plash release archive (no plash-*/bin/plash)"
new=${1%/bin/plash}
# The new plash must run here (the right architecture) before it replaces anything.
version=$("$new/bin/plash" version 2>&1) || fail "$archive does not run here: $version"

mkdir -p "$dir/bin" "$dir/lib" "$dir/share/doc"
for part in lib/plash share/doc/plash; do
  if [ -e "$dir/$part" ]; then
    mkdir -p "$old/${part%/*}"
    mv "$dir/$part" "$old/$part"
  fi
  if ! mv "$new/$part" "$dir/$part"; then
    [ ! -e "$old/$part" ] || mv "$old/$part" "$dir/$part"
    fail "cannot move $part into $dir"
  fi
done
mv -f "$new/bin/plash" "$dir/bin/plash"
echo "installed $version in $dir"

case ":$PATH:" in
*":$dir/bin:"*)
  found=$(command -v plash || true)
  [ "$found" = "$dir/bin/plash" ] || echo "note: $found comes first on PATH"
  ;;
*)
  case ":$PATH:" in
  *:/usr/local/bin:*) on_path=yes ;;
  *) on_path=no ;;
  esac
  if [ "$(id -u)" = 0 ] && [ "$on_path" = yes ] && [ -d /usr/local/bin ] &&
    { [ ! -e /usr/local/bin/plash ] || [ -L /usr/local/bin/plash ]; }; then
    previous=$(readlink /usr/local/bin/plash || true)
    ln -sf "$dir/bin/plash" /usr/local/bin/plash
    echo "linked /usr/local/bin/plash -> $dir/bin/plash"
    [ -z "$previous" ] || [ "$previous" = "$dir/bin/plash" ] || echo "(it was a link to $previous)"
  else
    echo "add plash to PATH (e.g. in ~/.profile): export PATH=\"$dir/bin:\$PATH\""
  fi
  ;;
esac
