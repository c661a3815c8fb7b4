#!/bin/sh
# plash from a release archive (`deno task dist`): runs the start bundle in
# ../lib/plash with the Deno runtime that came with it, through the glibc
# loader that came with it too (lib/plash/glibc), so no C library of the
# host's is used and none is needed. Works from wherever the archive was
# unpacked, also through a symlink on PATH. Deno keeps its code cache in
# $DENO_DIR (default ~/.cache/deno) when it can write there, and carries on
# without one when it cannot; it fetches nothing.
self=$0
case $self in
*/*) ;;
*) self=$(command -v -- "$self") ;;
esac
[ -L "$self" ] && self=$(readlink -f -- "$self")
lib=${self%/*}/../lib/plash
# What follows is also the end of the one-file form's header (scripts/release/one_file.sh).
# Deno's check for a newer Deno release would reach Deno's host.
export DENO_NO_UPDATE_CHECK=1
# Deno sees the loader as its executable (Deno.execPath()): this tells plash which Deno the
# loader runs, to start itself again the same way (core/self_command.ts).
export PLASH_DENO="$lib/deno"
for loader in "$lib"/glibc/ld-linux-*; do :; done
# --no-lazy: every function compiled when its module is first loaded, so that the code cache
# holds them all and a start compiles none; --single-threaded and --no-sparkplug: see bin/plash.
exec "$loader" --library-path "$lib/glibc" "$lib/deno" run -A --quiet \
  --v8-flags=--no-lazy,--single-threaded,--no-sparkplug \
  --config "$lib/deno.json" "$lib/dist/js/cli.js" "$@"
