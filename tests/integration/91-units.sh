#!/usr/bin/env bash
# The units as shipped (issue 19, item 4): hd-master and hd-slave started
# as deploy/hd-{master,slave}.service say (unit-run.sh: the ExecStart
# line, /etc/homedaemon and /var/lib/homedaemon, the accounts and modes of
# the packages' postinst, User/Group/groups/capabilities/umask/no new
# privileges by setpriv, read-only system, private /tmp, /dev and /proc),
# each in a mount namespace of its own: the cluster comes up, the web
# process answers, and each process has the identity and the privileges
# the unit and docs/SECURITY.md promise. Then systemd-analyze verify on
# both units; systemd-analyze security --offline prints its figures.
. "$(dirname "$0")/lib.sh"

skip_all() { echo "skip - $tname: $*"; trap - EXIT; cleanup; exit 0; }
[ "$(id -u)" -eq 0 ] || skip_all "accounts, mounts and setpriv need root"
unshare -m true 2>/dev/null || skip_all "no mount namespace (unshare -m)"
command -v setpriv >/dev/null || skip_all "no setpriv (util-linux)"
D=$top/deploy
version=$(sed -n 's/^#define HD_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"$top/shared/version.h")
# 90-deb.sh installs the packages for real: the check that nothing here
# reaches the machine is only sure while it does not run.
exec 9>/run/lock/homedaemon-90-deb.lock	# the lock 90-deb.sh holds
flock -w 600 9 || skip_all "another system test holds the lock for 10 minutes"

# The configuration with the paths of a Pi (docs/OPERATIONS.md, "Layout").
web_master
slave_conf slave-house House "$port" "$G"
for r in master slave; do
	s=$work/stage-$r
	mkdir -p "$s/etc/homedaemon/pki" "$s/usr/sbin"
	cp "$bin/hd-$r" "$s/usr/sbin/hd-$r"
	cp "$G/ca.crt" "$G/crl.pem" "$s/etc/homedaemon/pki/"
done
cp "$G"/master.* "$G"/web.* "$work/stage-master/etc/homedaemon/pki/"
cp "$G"/slave-house.* "$work/stage-slave/etc/homedaemon/pki/"
sed -e "s|$G/|/etc/homedaemon/pki/|" \
    -e "s|$work/state-master|/var/lib/homedaemon/master|" \
    "$work/master.conf" >"$work/stage-master/etc/homedaemon/master.conf"
sed -e "s|$G/|/etc/homedaemon/pki/|" \
    -e "s|$work/state-slave-house|/var/lib/homedaemon/slave|" \
    "$work/slave-house.conf" >"$work/stage-slave/etc/homedaemon/slave.conf"

# What the namespaces must leave alone.
sum_sys() {
	cat /etc/passwd /etc/group /etc/homedaemon/* /var/lib/homedaemon/*/* \
	    /usr/sbin/hd-* 2>/dev/null | md5sum
}
sys0=$(sum_sys)

# unit NAME: hd-NAME as its unit runs it, logging to NAME.log.
unit() {
	"$top/tests/integration/unit-run.sh" "$D/hd-$1.service" \
	    "$work/stage-$1" "$D/debian/$1.postinst" >>"$work/$1.log" 2>&1 &
	pids+=($!)
	disown $!
	printf -v "pid_$1" '%s' "$!"
}
unit master
unit slave
S=$work/slave.log
check "the master starts under its unit" \
	wait_log "$M" "listening on 127.0.0.1:$port" 15
check "its web process serves" wait_log "$M" 'web process [0-9]+ serving' 15
check "the slave registers (cluster up)" \
	wait_log "$M" 'slave slave-house .*online' 20
check "GET /api/v1/health through the web process: ok, version $version" \
	eval 'hcurl "$U/api/v1/health" | grep -q "\"status\":\"ok\",\"version\":\"$version\""'

# The processes: the pid unit-run.sh exec'd into is the daemon.
mpid=$(pid_of master) spid=$(pid_of slave)
wpid=$(web_pid)
apid=$(grep -Eo 'auth worker [0-9]+ started' "$M" | tail -1 | awk '{print $3}')
sppid=$(pgrep -P "$mpid" -x hd-master | head -1)
field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }
# uid NAME PID: the account's uid as the daemon's own /etc says it.
nsuid() { awk -F: -v u="$1" '$1 == u { print $3 }' "/proc/$2/root/etc/passwd"; }
check "the master runs as hd-master (the unit's User=)" eval \
	'[ "$(field $mpid Uid | cut -f1)" = "$(nsuid hd-master $mpid)" ] && [ -n "$(nsuid hd-master $mpid)" ]'
check "... as the exec of the unit's ExecStart" \
	test "$(tr '\0' ' ' <"/proc/$mpid/cmdline")" = "/usr/sbin/hd-master -f /etc/homedaemon/master.conf "
check "... with no capability left (CapEff, CapPrm 0)" eval \
	'[ "$(field $mpid CapEff)" = 0000000000000000 ] && [ "$(field $mpid CapPrm)" = 0000000000000000 ]'
check "... no new privileges, umask 0077" eval \
	'[ "$(field $mpid NoNewPrivs)" = 1 ] && [ "$(field $mpid Umask)" = 0077 ]'
# setuid 6, setgid 7, sys_chroot 18, kill 5: 0x400e0
check "the spawner alone keeps CAP_SETUID, SETGID, SYS_CHROOT, KILL" eval \
	'[ -n "$sppid" ] && [ "$(field $sppid CapEff)" = 00000000000400e0 ]'
check "the bounding set is the unit's (the same four)" \
	test "$(field "$mpid" CapBnd)" = 00000000000400e0
check "the web process runs as nobody, chrooted, no capability" eval \
	'[ "$(field $wpid Uid | cut -f1)" = "$(id -u nobody)" ] &&
	 [ "$(readlink /proc/$wpid/root)" = /var/lib/homedaemon/master/web-root ] &&
	 [ "$(field $wpid CapEff)" = 0000000000000000 ]'
check "the auth worker too" eval \
	'[ "$(field $apid Uid | cut -f1)" = "$(id -u nobody)" ] &&
	 [ "$(field $apid CapEff)" = 0000000000000000 ]'
check "the state is in /var/lib/homedaemon/master, hd-master's, 0700" eval \
	'[ -f /proc/$mpid/root/var/lib/homedaemon/master/master.state ] &&
	 [ "$(stat -c "%u %a" /proc/$mpid/root/var/lib/homedaemon/master)" = "$(nsuid hd-master $mpid) 700" ]'
check "... the rest of the system is read-only to it" \
	grep -Eq '^[^ ]+ /usr [^ ]+ ro,' "/proc/$mpid/mounts"
check "the slave runs as hd-slave, no capability at all" eval \
	'[ "$(field $spid Uid | cut -f1)" = "$(nsuid hd-slave $spid)" ] &&
	 [ "$(field $spid CapEff)" = 0000000000000000 ] &&
	 [ "$(field $spid CapBnd)" = 0000000000000000 ]'
gids() { local g; for g in "$@"; do awk -F: -v g="$g" '$1 == g { print $3 }' "/proc/$spid/root/etc/group"; done | sort -n | paste -sd' ' -; }
check "... in the groups dialout, i2c, gpio (SupplementaryGroups)" eval \
	'[ "$(gids dialout i2c gpio | wc -w)" = 3 ] &&
	 [ "$(field $spid Groups | xargs -n1 | sort -n | paste -sd" " -)" = "$(gids dialout i2c gpio)" ]'
check "... no new privileges, umask 0077" eval \
	'[ "$(field $spid NoNewPrivs)" = 1 ] && [ "$(field $spid Umask)" = 0077 ]'
check "... its state in /var/lib/homedaemon/slave" \
	test -f "/proc/$spid/root/var/lib/homedaemon/slave/slave.state"
check "nothing of it reached the machine's /etc or /var/lib" eval \
	'[ "$(sum_sys)" = "$sys0" ]'

# systemd-analyze on the units as shipped, with the binaries where the
# units say (an overlay on /usr in a mount namespace, for this only).
verify() {
	unshare -m --propagation private -- bash -c '
		ns=$(mktemp -d /tmp/hd-verify.XXXXXX)
		mount -t tmpfs hd-verify "$ns"
		mkdir -p "$ns/up/sbin" "$ns/up/share/man/man8" "$ns/work"
		cp "$1" "$2" "$ns/up/sbin/"
		cp "$5"/hd-master.8 "$5"/hd-slave.8 "$ns/up/share/man/man8/"
		mount -t overlay hd-usr -o \
		    "lowerdir=/usr,upperdir=$ns/up,workdir=$ns/work" /usr
		umount -l "$ns" 2>/dev/null; rmdir "$ns"
		systemd-analyze verify "$3" "$4"' _ "$bin/hd-master" \
	    "$bin/hd-slave" "$D/hd-master.service" "$D/hd-slave.service" "$top/docs"
}
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify: the units are clean" \
		eval 'verify >"$work/verify.log" 2>&1 && [ ! -s "$work/verify.log" ]'
	for r in master slave; do
		systemd-analyze security --offline=yes --no-pager \
		    "$D/hd-$r.service" >"$work/security-$r.log" 2>&1
		echo "# systemd-analyze security hd-$r: $(grep -Eo 'Overall exposure level.*' "$work/security-$r.log")"
	done
else
	echo "skip - $tname: no systemd-analyze (the systemd package)"
fi
finish
