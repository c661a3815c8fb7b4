#!/bin/sh
# Runs tests (deno test -A; all of tests/ unless paths are given) with a TMPDIR
# of their own, as USER (with su, which needs root) or else as the caller, and
# fails when they left anything there: each test removes what it makes
# (tests/support/temp_dirs.ts, TestStore). The directory is new, with a name no
# one can guess, so only the tests' own processes write into it; it is removed
# afterwards either way.
#   sh scripts/test-tmpdir.sh [--as USER] [TEST_PATH...]
set -u
cd "$(dirname "$0")/.."
user=
if [ "${1:-}" = --as ]; then
  user=$2
  shift 2
fi
[ $# -gt 0 ] || set -- tests/
# In /tmp itself, as the tests expect: containers share the host's /tmp. The name
# is lower case (not mktemp's): podman and buildah make image names of such paths.
# Open as /tmp is: the tests also run programs as other users.
scratch=/tmp/plash-tests-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
mkdir -m 1777 "$scratch" || exit 1
if [ -n "$user" ]; then
  su "$user" -c "cd '$PWD' && TMPDIR='$scratch' node_modules/.bin/deno test -A $*"
else
  TMPDIR=$scratch node_modules/.bin/deno test -A "$@"
fi
status=$?
if [ -n "$(ls -A "$scratch")" ]; then
  echo "test-tmpdir: the tests${user:+ as $user} left files in their TMPDIR:" >&2
  find "$scratch" -mindepth 1 -maxdepth 3 | sed "s|^$scratch/|  |" | head -n 40 >&2
  status=1
fi
rm -rf "$scratch" || status=1
exit $status
