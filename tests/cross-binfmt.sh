#!/usr/bin/env bash
# cross-binfmt.sh ARCH: let this machine exec ARCH's binaries (armhf or
# arm64) through qemu-user, so that a cross build's tests run as they
# are: hd-master execs its web process and auth worker, the tests exec
# the daemons. Registers Debian's qemu-user-binfmt entry with the
# kernel's binfmt_misc (mounting it first if needed), as installing that
# package does under systemd; a registration already there is kept.
# Exits non-zero with the reason on stderr if it cannot.
set -u
case "${1:-}" in
armhf)	name=qemu-arm ;;
arm64)	name=qemu-aarch64 ;;
*)	echo "usage: $0 armhf|arm64" >&2; exit 2 ;;
esac
bm=/proc/sys/fs/binfmt_misc
conf=/usr/lib/binfmt.d/$name.conf
[ -r "$conf" ] || { echo "no $conf: install qemu-user-binfmt (make deps ARCH=$1)" >&2; exit 1; }
if [ ! -e "$bm/register" ]; then
	mount -t binfmt_misc binfmt_misc "$bm" 2>/dev/null ||
		{ echo "cannot mount binfmt_misc on $bm (not root?)" >&2; exit 1; }
fi
if [ ! -e "$bm/$name" ]; then
	cat "$conf" >"$bm/register" 2>/dev/null ||
		{ echo "cannot register $name with binfmt_misc" >&2; exit 1; }
fi
grep -qx enabled "$bm/$name" || { echo "$bm/$name is disabled" >&2; exit 1; }
