#!/bin/sh
# bench/set_aside.sh DIR...: clears the way for a benchmark's next run. On a
# tmpfs each DIR is removed; elsewhere it is moved into a `set-aside`
# directory beside it, which the benchmark removes when it is done. ext4 looks
# at every inode freed in the last few minutes before it reuses one
# (`recently_deleted` in `find_inode_bit`, 31% of a `tar -xf`'s samples here
# right after a tree was removed): a run that follows the removal of the run
# before creates its files up to 20x slower, and both sides of a pair pay it
# by turns. Users rarely unpack right after deleting thousands of files.
set -eu
for dir; do
  [ -e "$dir" ] || continue
  if [ "$(stat -f -c %T "$dir")" = tmpfs ]; then
    rm -rf "$dir"
  else
    mkdir -p "$(dirname "$dir")/set-aside"
    mv "$dir" "$(mktemp -d "$(dirname "$dir")/set-aside/XXXXXX")/"
  fi
done
