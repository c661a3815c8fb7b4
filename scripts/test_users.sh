# Sourced by scripts/test-rootless.sh and bench/peers.sh (as root):
# make_test_users makes the two users the rootless runs use, plash-sub with a
# subordinate id range (200000-265535) and plash-nosub with none.

make_test_users() {
  for user in plash-sub plash-nosub; do
    id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$user"
  done
  # useradd gives new users a range; the second user must have none.
  sed -i '/^plash-nosub:/d' /etc/subuid /etc/subgid
  grep -q '^plash-sub:' /etc/subuid || usermod --add-subuids 200000-265535 plash-sub
  grep -q '^plash-sub:' /etc/subgid || usermod --add-subgids 200000-265535 plash-sub
}
