#!/usr/bin/env bash
# A standby master (docs/FAILOVER.md, "Setting up a standby"): the same
# hd-master with its own config and a standby-role certificate connects
# to the master over the cluster link. Refused with a logged reason on
# both sides without the licence's standby feature, admitted once the
# licence has it; a standby refuses slaves naming the master, and a slave
# whose first master line is the standby registers with the master; a
# certificate without the standby role is refused (on the standby itself
# when it is its own, by the master when a peer claims to be a standby);
# the config's master lines are checked. hd-master-testroot: see
# 40-licence.sh.
. "$(dirname "$0")/lib.sh"

L=$work/lic
"$top/tests/integration/gen-test-licences.sh" "$L" >/dev/null ||
	{ not_ok "generate test licences"; finish; }
I=$L/inst
"$top/pki/hd-pki" issue "$I" standby sb >/dev/null
"$top/pki/hd-pki" issue "$I" master sb2 >/dev/null
export HD_LICENCE_ROOT=$L/vendor/root.crt
export HD_LICENCE_CLOCK=$work/clock
echo 0 >"$HD_LICENCE_CLOCK"
port=$(free_port)
sport=$(free_port)
s2port=$(free_port)
lic=$work/licence.pem
cp "$L/valid.pem" "$lic"	# secure-zwave, app-api: no standby
ML=("master master 127.0.0.1:$port" "master sb 127.0.0.1:$sport"
    "master sb2 127.0.0.1:$s2port")
# The master's HTTPS engine: GET /api/v1/cluster says how its standby is.
"$top/pki/hd-pki" issue "$I" web web >/dev/null
wport=$(free_port)
master_conf master "$port" "$I" master "licence $lic" "${ML[@]}" \
	"web-listen 127.0.0.1:$wport" "web-cert $I/web.crt" "web-key $I/web.key"
master_conf sb "$sport" "$I" sb "licence $lic" "${ML[@]}"
master_conf sb2 "$s2port" "$I" sb2 "licence $lic" "${ML[@]}"
# slave-a names the standby first: it must end up with the master.
slave_conf slave-a "Site A" "$sport" "$I" "master 127.0.0.1:$port"
# slave-b has the master lines with node ids, slave-c a wrong id.
slave_conf slave-b "Site B" "$port" "$I"
sed -i '/^master /d' "$work/slave-b.conf"
printf '%s\n' "${ML[@]}" >>"$work/slave-b.conf"
slave_conf slave-c "Site C" "$port" "$I"
sed -i "s/^master .*/master sb 127.0.0.1:$port/" "$work/slave-c.conf"
M=$work/master.log
SB=$work/sb.log
G=$I
A=https://127.0.0.1:$wport/api/v1
admin_pw
mstart() { "$bin/hd-master-testroot" -v -f "$work/$1.conf" >>"$work/$1.log" 2>&1 &
	pids+=($!); disown $!; printf -v "pid_$1" '%s' "$!"; }

# 1. the config's master lines
check "hd-master -n takes the master lines" \
	quiet "$bin/hd-master" -n -f "$work/sb.conf"
cp "$work/sb.conf" "$work/bad.conf"
echo "master sb 127.0.0.1:1" >>"$work/bad.conf"
check "a node named twice is refused" grep -q "master sb named twice" \
	<<<"$("$bin/hd-master" -n -f "$work/bad.conf" 2>&1)"
grep -v '^master ' "$work/sb.conf" >"$work/bad.conf"
echo "master other 127.0.0.1:$port" >>"$work/bad.conf"
check "a node not in its own master lines is refused" \
	grep -q "this node (sb) is not in the config's master lines" \
	<<<"$("$bin/hd-master" -n -f "$work/bad.conf" 2>&1)"
grep -v '^master ' "$work/sb.conf" >"$work/bad.conf"
echo "master sb localhost:x" >>"$work/bad.conf"
check "a bad address is refused" grep -q '"localhost:x" is not ADDRESS:PORT' \
	<<<"$("$bin/hd-master" -n -f "$work/bad.conf" 2>&1)"

check "hd-slave -n takes master lines with node ids" \
	quiet "$bin/hd-slave" -n -f "$work/slave-b.conf"
cp "$work/slave-b.conf" "$work/bad.conf"
echo "master 127.0.0.1:1" >>"$work/bad.conf"
check "hd-slave: master lines with and without ids are refused" \
	grep -q "either every master line names its node id" \
	<<<"$("$bin/hd-slave" -n -f "$work/bad.conf" 2>&1)"

# 2. without the licence's standby feature: refused, said on both sides
mstart master
check "master up" wait_log "$M" 'master master version .* started' 10
mstart sb
check "the standby starts as a standby" \
	wait_log "$SB" 'standby sb version .* started' 10
check "master: standby refused for the licence" wait_log "$M" \
	'standby sb \(127\.0\.0\.1:[0-9]+\) refused: the licence has no standby feature' 10
check "standby: refused for the licence" wait_log "$SB" \
	'standby: master master at 127\.0\.0\.1:[0-9]+: refused: LICENCE: the licence has no standby feature' 10

# 3. the licence gets the feature (SIGHUP): the standby's next try is in
cp "$L/renewal.pem" "$lic"
kill -HUP "$pid_master"
check "master: standby admitted after the new licence" wait_log "$M" \
	'standby sb \(127\.0\.0\.1:[0-9]+\) admitted, term' 15
check "standby: following the master" wait_log "$SB" \
	'standby: following master master \(127\.0\.0\.1:[0-9]+\)' 10
# The state files ride that link (docs/FAILOVER.md, "State replication").
check "master: the standby attaches for the state files" wait_log "$M" \
	'standby sb: attached, state files syncing' 10
check "standby: the master's state files are all applied" wait_log "$SB" \
	'state sync: every state file of the master is applied here' 15
check "the master's master.state is the standby's, byte for byte" \
	cmp -s "$work/state-master/master.state" "$work/state-sb/master.state"
same_slaves() {	# same_slaves SECONDS: licence.slaves copied within it
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		cmp -s "$work/state-master/licence.slaves" \
		    "$work/state-sb/licence.slaves" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# 4. a standby refuses slaves and names the master
start hd-slave slave-a
check "slave: the standby refuses it naming the master" wait_log \
	"$work/slave-a.log" "refused: NOT_MASTER: sb is a standby, not the master; the master is master at 127\.0\.0\.1:$port" 10
check "standby: logs the refused slave" wait_log "$SB" \
	'slave slave-a \(127\.0\.0\.1:[0-9]+\) refused: sb is a standby' 5
check "slave: registers with the master on its next line" \
	wait_log "$work/slave-a.log" 'registered with master master' 10
check "the master's new licence.slaves (slave-a) reaches the standby" \
	same_slaves 10
check "... naming slave-a" grep -q slave-a "$work/state-sb/licence.slaves"

start hd-slave slave-b
check "a slave with named master lines registers" \
	wait_log "$work/slave-b.log" 'registered with master master' 10
start hd-slave slave-c
check "a slave leaves a master whose certificate is not the named node" \
	wait_log "$work/slave-c.log" "master at 127\.0\.0\.1:$port: its certificate is master, the master lines name sb there" 10

# 5. certificates without the standby role
mstart sb2
check "a master-only certificate cannot follow (its own log)" \
	wait_log "$work/sb2.log" 'certificate of sb2 lacks the standby role \(master and slave\)' 10
out=$(rawpeer -a "127.0.0.1:$port" -m standby -c "$I/slave-b.crt" \
	-k "$I/slave-b.key" -C "$I/ca.crt" 2>&1)
check "a slave certificate claiming to be a standby is refused" \
	grep -q 'refused: certificate of slave-b lacks the standby role' <<<"$out"
check "master: logs it" wait_log "$M" \
	'standby slave-b \(127\.0\.0\.1:[0-9]+\) refused: certificate of slave-b lacks the standby role' 5
# 6. the standby goes: the master says so
check "the standby is still followed (heartbeats both ways)" \
	eval '! grep -q "standby sb .* lost" "$M"'
kill -TERM "$pid_sb"
check "master: standby lost, with the reason" wait_log "$M" \
	'standby sb \(127\.0\.0\.1:[0-9]+\) lost: standby closed the link: standby shutting down' 10
# 7. the master holds a state file of a format the standby does not read
# (as after an upgrade of the master alone; here a licence.grace of
# format 2 put in its state-dir, which the running master does not
# read again): the standby refuses it and keeps its own, the master
# says the standby is too old (docs/OPERATIONS.md, "Upgrades").
check "the standby holds the master's licence.grace" \
	test -s "$work/state-sb/licence.grace"
grace_sb=$(md5sum <"$work/state-sb/licence.grace")
printf '2 a later version wrote this\n' >"$work/state-master/licence.grace"
mstart sb
check "standby: back, attached again" wait_count "$M" 'standby sb: attached, state files syncing' 2
check "standby: refuses the newer licence.grace, keeps its own" \
	wait_log "$SB" 'state sync: .*/licence.grace: format 2 is newer than this version \(.*\) reads \(1\): refused, ours is kept' 15
check "... byte for byte" test "$(md5sum <"$work/state-sb/licence.grace" 2>/dev/null)" = "$grace_sb"
check "master: the standby is older than this master" wait_log "$M" \
	'standby sb is older than this master: licence.grace: format 2 is newer than this standby \(.*\) reads \(1\): it keeps its own file' 10
check "... and the other files still reach it" \
	wait_count "$SB" 'state sync: every state file of the master is applied here' 2
admin_session
out=$(hcurl "${auth[@]}" "$A/cluster")
check "GET cluster: the standby is too old, the detail names the file" \
	grep -q '"standby":{"state":"too_old","id":"sb","detail":"licence.grace: format 2 is newer than this standby ([^)]*) reads (1)"' <<<"$out"
finish
