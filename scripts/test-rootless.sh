#!/bin/sh
# Runs the test suite again as unprivileged users, the way people use plash
# without root: one user with a subordinate id range (newuidmap maps
# container ids 1..65536) and one without (only the caller is mapped).
# Needs root to create the users; elsewhere it says so and does nothing.
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "test-rootless: skipped: creating the test users needs root"
  exit 0
fi
root=$PWD
. "$root/scripts/test_users.sh"
make_test_users

# The users must reach the project; a checkout under a private directory is copied.
if ! su plash-nosub -c "test -r '$root/cli.ts' && test -x '$root/node_modules/.bin/deno'"; then
  copy=$(mktemp -d /tmp/plash-rootless.XXXXXX)
  trap 'rm -rf "$copy"' EXIT
  cp -a "$root/." "$copy/"
  chmod -R a+rX "$copy"
  root=$copy
fi
# Fixtures are built once, as root, and only read by the users.
"$root/node_modules/.bin/deno" run -A "$root/scripts/busybox_rootfs.ts" >/dev/null
chmod -R a+rX "$root/.fixtures"

status=0
for user in plash-sub plash-nosub; do
  echo "== tests as $user ($(grep -c "^$user:" /etc/subuid || true) subuid ranges)"
  sh "$root/scripts/test-tmpdir.sh" --as "$user" || status=1
done
exit $status
