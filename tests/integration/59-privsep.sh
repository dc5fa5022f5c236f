#!/usr/bin/env bash
# Privilege separation as shipped (issue 13, docs/SECURITY.md): the
# master runs the way deploy/hd-master.service runs it, as an
# unprivileged user of its own holding only the capabilities the unit
# grants (CAP_SETUID, CAP_SETGID, CAP_SYS_CHROOT, CAP_KILL: ambient and
# bounding), no new privileges, umask 077 (setpriv; the unit's syscall
# filter and namespaces need systemd and are not applied here).
# The cluster and the web come up; the web process and the auth worker
# run under web-user's uid, chrooted to the empty web-root, with no
# capability; the master keeps none; the web user cannot read the
# master's key, state or configuration, nor signal the master; killed
# children come back under the same uid. Also systemd-analyze verify
# of the units (when installed).
. "$(dirname "$0")/lib.sh"

units() {
	local u out
	if ! command -v systemd-analyze >/dev/null; then
		echo "skip - $tname: systemd-analyze verify (not installed)"
		return
	fi
	# The unit as shipped, with ExecStart pointing at this build (the
	# installed path does not exist here) and no man page lookup.
	for u in hd-master hd-slave; do
		sed "s|/usr/sbin/$u|$bin/$u|" "$top/deploy/$u.service" \
			>"$work/$u.service"
		out=$(systemd-analyze verify --man=no "$work/$u.service" 2>&1)
		check "systemd-analyze verify $u.service is clean" \
			test -z "$out"
		[ -n "$out" ] && echo "# $out"
	done
}
units

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null ||
    ! command -v useradd >/dev/null; then
	echo "skip - $tname: needs root, setpriv and useradd to make users"
	finish
fi

# Two users of our own, removed at exit: the master's and the web's.
mu=hdtm$$
wu=hdtw$$
useradd --system --no-create-home --shell /usr/sbin/nologin -U "$mu" &&
	useradd --system --no-create-home --shell /usr/sbin/nologin -U "$wu" ||
	{ not_ok "useradd"; finish; }
trap 'cleanup; userdel "$mu" 2>/dev/null; userdel "$wu" 2>/dev/null' EXIT
muid=$(id -u "$mu")
wuid=$(id -u "$wu")
wgid=$(id -g "$wu")

web_master "web-user $wu"
slave_conf slave-house House "$port" "$G"
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
# As systemd lays it out: the master's files are its own, mode 0600 in
# 0700 directories (UMask=0077, StateDirectoryMode=0700).
chmod 0711 "$work"
chown -R "$mu:$mu" "$work/pki" "$work/state-master" "$work/master.conf"
chmod 0700 "$work/pki" "$work/state-master"
chmod 0600 "$work/master.conf" "$G"/*.key "$work/state-master"/*
touch "$work/master.log"
# The capabilities the unit grants, read from it: +setuid,+setgid,...
unit=$top/deploy/hd-master.service
caps=$(sed -n 's/^AmbientCapabilities=//p' "$unit" | tr ' ' '\n' |
	sed -n 's/^CAP_\(.*\)/+\L\1/p' | paste -sd, -)
check "the unit's ambient capabilities are its bounding set" test \
	"$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")" = \
	"$(sed -n 's/^AmbientCapabilities=//p' "$unit")"
check "the unit sets NoNewPrivileges and UMask=0077" eval \
	'grep -qx "NoNewPrivileges=yes" "$unit" && grep -qx "UMask=0077" "$unit"'
(
	umask 077
	exec setpriv --reuid="$mu" --regid="$mu" --init-groups \
		--inh-caps=-all,"$caps" --ambient-caps=-all,"$caps" \
		--bounding-set=-all,"$caps" --no-new-privs \
		"$bin/hd-master" -v -f "$work/master.conf"
) >>"$work/master.log" 2>&1 &
pids+=($!)
disown $!
mpid=$!
start hd-slave slave-house

# 1. It comes up.
check "the web process serves" wait_log "$M" 'web process [0-9]+ serving' 10
check "the auth worker starts" wait_log "$M" 'auth worker [0-9]+ started' 10
check "the slave is online" wait_log "$M" 'slave slave-house .*online' 15
check "the dashboard's health answers over HTTPS" \
	grep -q '"status":"ok"' <<<"$(hcurl "$U/api/v1/health")"
code=$(curl -s --cacert "$G/ca.crt" --max-time 10 -o /dev/null \
	-w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary "{\"name\":\"admin\",\"password\":\"$pw\"}" \
	"$U/api/v1/login")
check "a login is hashed by the auth worker and succeeds" test "$code" = 200

# status PID FIELD: the field's value(s) in /proc/PID/status
status() { awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' \
	"/proc/$1/status"; }
wpid=$(grep -Eo 'web process [0-9]+ serving' "$M" | tail -1 | awk '{print $3}')
apid=$(grep -Eo 'auth worker [0-9]+ started' "$M" | tail -1 | awk '{print $3}')
spid=$(ps -o ppid= -p "$wpid" | tr -d ' ')

# 2. The master: its own user, no capability left.
check "the master runs as its user" \
	test "$(status "$mpid" Uid)" = "$muid $muid $muid $muid"
check "the master holds no capability (effective, permitted, ambient)" \
	eval 'test "$(status $mpid CapEff)$(status $mpid CapPrm)$(status $mpid CapAmb)" = 000000000000000000000000000000000000000000000000'
check "... and cannot gain any (no_new_privs)" \
	test "$(status "$mpid" NoNewPrivs)" = 1
# The spawner: a child of the master, its uid, only the unit's four caps.
check "the web process and the auth worker are the spawner's children" \
	eval 'test "$(ps -o ppid= -p $spid | tr -d " ")" = "$mpid" &&
	test "$(ps -o ppid= -p $apid | tr -d " ")" = "$spid"'
check "the spawner runs as the master's user with setuid, setgid, sys_chroot, kill only" \
	eval 'test "$(status $spid Uid)" = "$muid $muid $muid $muid" &&
	test "$(status $spid CapEff)" = 00000000000400e0'

# 3. The children: web-user's uid and gid, chrooted, no capability.
# child ROLE PID
child() {
	local r=$1 p=$2
	check "$r: real, effective, saved and fs uid are web-user's, not the master's" \
		test "$(status "$p" Uid)" = "$wuid $wuid $wuid $wuid"
	check "$r: gid is web-user's, no other group" eval \
		'test "$(status $p Gid)" = "$wgid $wgid $wgid $wgid" &&
		test "$(status $p Groups)" = "$wgid"'
	check "$r: chrooted to the empty web-root" eval \
		'test "$(readlink /proc/$p/root)" = "$work/state-master/web-root" &&
		test -z "$(ls -A "$work/state-master/web-root")"'
	check "$r: no capability in any set" eval \
		'test "$(status $p CapEff)$(status $p CapPrm)$(status $p CapInh)$(status $p CapAmb)$(status $p CapBnd)" != "" &&
		test "$(status $p CapEff)$(status $p CapPrm)$(status $p CapInh)$(status $p CapAmb)" = 0000000000000000000000000000000000000000000000000000000000000000'
	check "$r: holds no descriptor of the master's key, state or config" \
		eval '! ls -l /proc/$p/fd | grep -Eq "pki|state-master|master.conf"'
}
child "web process" "$wpid"
child "auth worker" "$apid"

# 4. What the web uid could do if it escaped its chroot: nothing of the
# master's. These run as web-user outside any chroot, so they prove the
# file modes and uids, which hold even for a child that broke out; the
# chroot above (its root is web-root, which is empty and not writable
# by it) is the first barrier. No hook makes the web process itself try.
asweb() { setpriv --reuid="$wuid" --regid="$wgid" --clear-groups "$@"; }
for f in "$G/master.key" "$G/web.key" "$work/master.conf" \
    "$work/state-master/master.state" "$work/state-master/users"; do
	check "web-user cannot read $(basename "$f")" eval \
		'test -e "$f" && ! asweb cat "$f" >/dev/null 2>&1'
done
check "web-user cannot list the master's state directory" \
	eval '! asweb ls "$work/state-master" >/dev/null 2>&1'
check "web-user cannot write to web-root" \
	eval '! asweb touch "$work/state-master/web-root/x" 2>/dev/null'
check "web-user cannot signal the master" \
	eval '! asweb kill -0 "$mpid" 2>/dev/null'

gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^State:.*Z' "/proc/$1/status"; }

# 5. Restarts go through the spawner and keep the separation.
kill -KILL "$wpid"
check "a killed web process is restarted" \
	wait_count "$M" 'web process [0-9]+ serving' 2 10
wpid=$(grep -Eo 'web process [0-9]+ serving' "$M" | tail -1 | awk '{print $3}')
check "... under web-user's uid again" \
	test "$(status "$wpid" Uid)" = "$wuid $wuid $wuid $wuid"
check "... and serves" grep -q '"status":"ok"' <<<"$(hcurl "$U/api/v1/health")"
kill -KILL "$apid"
check "a killed auth worker is restarted" \
	wait_count "$M" 'auth worker [0-9]+ started' 2 10
apid=$(grep -Eo 'auth worker [0-9]+ started' "$M" | tail -1 | awk '{print $3}')
# "started" is the master's word once the spawner has forked it; the
# worker drops its privileges after its exec, and says so.
check "... under web-user's uid again" eval \
	'wait_count "$M" "hd-auth\[info\]: chrooted" 2 10 &&
	test "$(status $apid Uid)" = "$wuid $wuid $wuid $wuid"'
# The master cannot signal its children (another uid, no capability):
# a stalled worker is killed by the spawner, on the master's request.
kill -STOP "$apid"
code=$(curl -s --cacert "$G/ca.crt" --max-time 15 -o /dev/null \
	-w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary "{\"name\":\"admin\",\"password\":\"$pw\"}" \
	"$U/api/v1/login")
check "a stalled auth worker fails its login with 503" test "$code" = 503
check "... and the spawner kills it (SIGKILL), at the master's request" \
	eval 'for i in $(seq 50); do gone $apid && break; sleep 0.1; done; gone $apid'
check "... and a new one starts" \
	wait_count "$M" 'auth worker [0-9]+ started' 3 10
apid=$(grep -Eo 'auth worker [0-9]+ started' "$M" | tail -1 | awk '{print $3}')

# 6. A stop ends the spawner and both children.
kill -TERM "$mpid"
check "the master stops" wait_log "$M" 'master master stopped' 10
check "the spawner, web process and auth worker are gone" eval \
	'for i in $(seq 50); do gone $spid && gone $wpid && gone $apid && break; sleep 0.1; done;
	gone $spid && gone $wpid && gone $apid'
check "... each stopped by the spawner, none left to SIGKILL" \
	eval '! grep -Eq "did not end|left unreaped|hd-spawn\[warn\]" "$M"'
finish
