#!/usr/bin/env bash
# unit-run.sh UNIT STAGE POSTINST: run a daemon as its systemd UNIT file
# says, without systemd, for 91-units.sh. In a mount namespace of its
# own (nothing here changes the machine): /etc, /usr and /var get an
# overlay on a tmpfs, STAGE/etc and STAGE/usr laid over them (the
# configuration and PKI in /etc/homedaemon, the binary at the unit's
# ExecStart path); the package's POSTINST configure makes the accounts,
# groups, folders and modes as installing the package does; then the
# unit's directives that can be applied outside systemd:
#   User= Group= SupplementaryGroups= UMask= NoNewPrivileges=
#   CapabilityBoundingSet= AmbientCapabilities=      (setpriv)
#   StateDirectory= StateDirectoryMode=
#   ProtectSystem=strict + ReadWritePaths=   (/ and the overlays read-only)
#   PrivateTmp= ProtectHome= PrivateDevices=  (tmpfs, a /dev of 6 nodes)
#   ProtectProc=invisible ProcSubset=pid      (a procfs of its own)
# and not those needing systemd itself (the syscall filters,
# RestrictAddressFamilies, MemoryDenyWriteExecute, DevicePolicy's cgroup,
# Protect{Kernel*,Clock,Hostname,ControlGroups}: 91-units.sh runs
# systemd-analyze verify and security on them instead).
# The daemon's stdout and stderr are this script's.
set -eu
unit=$1 stage=$2 postinst=$3
# The unit is read once, here: PrivateTmp= and ProtectHome= below hide
# /tmp and /root, where the checkout (and so the unit file) may be.
text=$(cat "$unit")
key() { sed -n "s/^$1=//p" <<<"$text" | tail -n 1; }
all() { sed -n "s/^$1=//p" <<<"$text" | tr '\n' ' '; }

[ -z "${HD_UNIT_NS:-}" ] &&
	HD_UNIT_NS=1 exec unshare -m --propagation private -- "$0" "$@"

ns=$(mktemp -d /tmp/hd-unit.XXXXXX)
mount -t tmpfs -o mode=0700 hd-unit "$ns"
for d in etc usr var; do
	mkdir -p "$ns/$d.up" "$ns/$d.work"
	[ -d "$stage/$d" ] && cp -a "$stage/$d/." "$ns/$d.up/"
	mount -t overlay "hd-$d" -o \
	    "lowerdir=/$d,upperdir=$ns/$d.up,workdir=$ns/$d.work" "/$d"
done
sh "$postinst" configure "" >/dev/null

user=$(key User) group=$(key Group)
for k in /etc/homedaemon/pki/*.key; do
	chown "$user" "$k"
	chmod 0600 "$k"
done
sd=$(key StateDirectory)
[ -n "$sd" ] && install -d -o "$user" -g "$group" \
    -m "$(key StateDirectoryMode)" "/var/lib/$sd"

# ProtectSystem=strict: everything read-only but ReadWritePaths=.
if [ "$(key ProtectSystem)" = strict ]; then
	for m in / /etc /usr /var; do
		mount -o remount,bind,ro "$m"
	done
	for p in $(all ReadWritePaths); do
		mount --bind "$p" "$p"
		mount -o remount,bind,rw "$p"
	done
fi
if [ "$(key PrivateTmp)" = yes ]; then
	mount -t tmpfs -o mode=1777 hd-tmp /tmp
	mount -t tmpfs -o mode=1777 hd-vartmp /var/tmp
fi
if [ "$(key ProtectHome)" = yes ]; then
	for h in /home /root /run/user; do
		[ -d "$h" ] && mount -t tmpfs -o ro,mode=0755 hd-home "$h"
	done
fi
if [ "$(key PrivateDevices)" = yes ]; then
	mount -t tmpfs -o mode=0755 hd-dev /dev
	for n in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" \
	    "urandom 1 9" "tty 5 0"; do
		set -- $n
		mknod -m 0666 "/dev/$1" c "$2" "$3"
	done
fi
if [ "$(key ProtectProc)" = invisible ]; then
	opt=hidepid=invisible
	[ "$(key ProcSubset)" = pid ] && opt=$opt,subset=pid
	mount -t proc -o "$opt" hd-proc /proc
fi

# setpriv takes capability names without CAP_, lower case.
caps() { echo "$1" | tr 'A-Z ' 'a-z\n' | sed -n 's/^cap_\(.*\)/+\1/p' | paste -sd, -; }
bnd=$(caps "$(key CapabilityBoundingSet)")
amb=$(caps "$(key AmbientCapabilities)")
sg=$(key SupplementaryGroups | tr ' ' ',')
args=(--reuid="$user" --regid="$group")
if [ -n "$sg" ]; then args+=(--groups="$sg"); else args+=(--clear-groups); fi
args+=(--bounding-set="-all${bnd:+,$bnd}" --inh-caps="-all${amb:+,$amb}")
[ -n "$amb" ] && args+=(--ambient-caps="$amb")
[ "$(key NoNewPrivileges)" = yes ] && args+=(--no-new-privs)
umask "$(key UMask)"
# shellcheck disable=SC2046
exec setpriv "${args[@]}" -- $(key ExecStart)
