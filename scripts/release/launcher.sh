#!/bin/sh
# plash from a release archive (`deno task dist`): runs the start bundle in
# ../lib/plash with the Deno runtime that came with it. Works from wherever the
# archive was unpacked, also through a symlink on PATH. Deno keeps its code
# cache in $DENO_DIR (default ~/.cache/deno) when it can write there, and
# carries on without one when it cannot; it fetches nothing.
self=$0
case $self in
*/*) ;;
*) self=$(command -v -- "$self") ;;
esac
[ -L "$self" ] && self=$(readlink -f -- "$self")
lib=${self%/*}/../lib/plash
# Deno's check for a newer Deno release would reach Deno's host.
export DENO_NO_UPDATE_CHECK=1
# --no-lazy: every function compiled when its module is first loaded, so that the code cache
# holds them all and a start compiles none (bin/plash says more).
exec "$lib/deno" run -A --quiet --v8-flags=--no-lazy --config "$lib/deno.json" "$lib/dist/js/cli.js" "$@"
