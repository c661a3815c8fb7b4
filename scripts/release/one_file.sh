#!/bin/sh
# plash as one file (`deno task dist`): this sh header, then the release archive
# @NAME@.tar.gz (@SIZE@ bytes, sha256 @SHA256@).
# The first start checks the archive against that sum and unpacks it into
# ${XDG_CACHE_HOME:-$HOME/.cache}/plash/@NAME@-SHA256 (into ${TMPDIR:-/tmp}/plash-UID when
# that cannot be written); later starts run plash from there at once. The unpacked directory
# gets its name, with the marker holding the sum, by one rename when it is whole: a directory
# without the right marker is replaced, never run. Needs sh, tail, sha256sum, gzip, tar, mkdir,
# mktemp, mv and rm, and id and ls for $TMPDIR (busybox's will do).
name=@NAME@
sum=@SHA256@
size=@SIZE@

fail() {
  echo "plash error: $*" >&2
  [ -z "${staging:-}" ] || rm -rf "$staging"
  exit 1
}

# Whether directory $1 is an unpack of this archive that was finished.
finished() {
  marker=
  { read -r marker <"$1/.plash-sha256"; } 2>/dev/null
  [ "$marker" = "$sum" ]
}

base=
[ -z "${XDG_CACHE_HOME:-${HOME:-}}" ] || base=${XDG_CACHE_HOME:-$HOME/.cache}/plash
dir=$base/$name-$sum
if [ -z "$base" ] || ! finished "$dir"; then
  # Unpacked in the user's cache when a directory can be made there (a test of its mode would
  # not do: root may write anywhere but on a read-only mount), else in $TMPDIR.
  staging=
  [ -z "$base" ] || staging=$({ mkdir -p "$base" && mktemp -d "$base/.unpack.XXXXXX"; } 2>/dev/null)
  if [ -z "$staging" ]; then
    base=${TMPDIR:-/tmp}/plash-$(id -u)
    dir=$base/$name-$sum
    mkdir -m 700 "$base" 2>/dev/null
    # Another user may have made it first, and filled it: only our own, that no one else may write.
    { [ -d "$base" ] && [ ! -L "$base" ] && [ -O "$base" ]; } ||
      fail "$base: not a directory of this user's own: refusing it (set TMPDIR to another)"
    case $(ls -ld "$base") in
    d????-??-*) ;;
    *) fail "$base: others may write into it: refusing it (set TMPDIR to another)" ;;
    esac
    finished "$dir" || staging=$(mktemp -d "$base/.unpack.XXXXXX") ||
      fail "$base: cannot make a directory in it"
  fi
  if [ -n "$staging" ]; then
    trap 'rm -rf "$staging"; exit 130' INT TERM HUP
    # This file: run by its path, as `sh FILE` from its directory, or found on PATH.
    self=$0
    case $self in
    */*) ;;
    *) if [ -f "$self" ]; then self=./$self; else self=$(command -v -- "$self"); fi ;;
    esac
    tail -c "$size" "$self" >"$staging/archive" || fail "$self: cannot read it"
    actual=$(sha256sum <"$staging/archive") || fail "$self: sha256sum failed"
    actual=${actual%% *}
    [ "$actual" = "$sum" ] ||
      fail "$self: its archive's sha256 is $actual, not $sum as its header says: damaged"
    gzip -dc <"$staging/archive" | tar -xf - -C "$staging" ||
      fail "$self: cannot unpack it into $base"
    rm "$staging/archive"
    echo "$sum" >"$staging/.plash-sha256" || fail "$staging: cannot write its marker"
    if finished "$dir"; then
      rm -rf "$staging" # another first start's came first: that one is used
    else
      # A damaged one (no or another marker) is moved aside and removed, never run.
      if [ -e "$dir" ] || [ -L "$dir" ]; then
        old=$(mktemp -d "$base/.old.XXXXXX") && mv "$dir" "$old/" 2>/dev/null
        rm -rf "$old"
      fi
      # -T: onto a directory another first start put there since, mv fails instead of moving
      # into it; then that one is used.
      if ! mv -T "$staging" "$dir" 2>/dev/null; then
        finished "$dir" || fail "$dir: cannot move the unpacked plash there"
        rm -rf "$staging"
      fi
    fi
    staging=
    trap - INT TERM HUP
  fi
fi
lib=$dir/$name/lib/plash
