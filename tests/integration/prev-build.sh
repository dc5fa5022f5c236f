#!/usr/bin/env bash
# prev-build.sh REV: build hd-master and hd-slave of git revision REV
# (a tag such as v0.1.0, or any commit) from `git archive`, so without
# a .git (the build must not need one), in a cache folder kept between
# runs, HD_PREV_CACHE (default /tmp/hd-prev-build)/COMMIT/; prints that
# folder's build/ on success. Exit 3 if REV is not in this repository.
# One build at a time per commit (flock): the suite runs 93-upgrade for
# two trees side by side.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
rev=$1
commit=$(git -C "$top" rev-parse --verify -q "$rev^{commit}") || exit 3
dir=${HD_PREV_CACHE:-/tmp/hd-prev-build}/$commit
mkdir -p "$dir"
exec 8>"$dir.lock"
flock -w 900 8
if [ ! -x "$dir/src/build/hd-master" ] || [ ! -x "$dir/src/build/hd-slave" ]; then
	rm -rf "$dir/src"
	mkdir -p "$dir/src"
	git -C "$top" archive "$commit" | tar -x -C "$dir/src"
	make -C "$dir/src" -j2 build/hd-master build/hd-slave \
	    >"$dir/build.log" 2>&1 || { tail -20 "$dir/build.log" >&2; exit 1; }
fi
echo "$dir/src/build"
