#!/usr/bin/env bash
# A takeover between real processes (docs/FAILOVER.md, "Wiring"): two
# master-capable nodes (m1, m2, standby-role certificates, a licence with
# `standby`) and three slaves with simulated devices, real TLS on
# 127.0.0.1. With `slave` lines the slaves elect the master: m1 first
# (a fresh slave's fence allows only the first master line), m2 joins
# the synchronous set. m1 is killed with SIGKILL: m2 is elected within a
# bounded wait, the slaves register with it, a command sent through its
# API with a session made on m1 before the kill is executed by a slave.
# m1 restarted follows m2 and never becomes master of a term already
# held. Without slaves, a master loses its majority, steps down and
# restarts as a standby, and neither node ever promotes alone.
. "$(dirname "$0")/lib.sh"

L=$work/lic
"$top/tests/integration/gen-test-licences.sh" "$L" >/dev/null ||
	{ not_ok "generate test licences"; finish; }
I=$L/inst
for n in m1 m2; do "$top/pki/hd-pki" issue "$I" standby "$n" >/dev/null; done
"$top/pki/hd-pki" issue "$I" web web >/dev/null
export HD_LICENCE_ROOT=$L/vendor/root.crt
export HD_LICENCE_CLOCK=$work/clock
echo 0 >"$HD_LICENCE_CLOCK"
p1=$(free_port); p2=$(free_port); w1=$(free_port); w2=$(free_port)
cp "$L/renewal.pem" "$work/licence.pem"	# standby, 3 slaves
ML=("master m1 127.0.0.1:$p1" "master m2 127.0.0.1:$p2")
SL=("slave slave-a" "slave slave-b" "slave slave-c")
for n in 1 2; do
	wp=w$n pp=p$n
	master_conf "m$n" "${!pp}" "$I" "m$n" "licence $work/licence.pem" \
		"web-listen 127.0.0.1:${!wp}" "web-cert $I/web.crt" \
		"web-key $I/web.key" "${ML[@]}" "${SL[@]}" \
		"master-web m1 https://127.0.0.1:$w1/" \
		"master-web m2 https://127.0.0.1:$w2/"
done
for s in a b c; do
	slave_conf "slave-$s" "Site ${s^^}" "$p1" "$I"
	sed -i '/^master /d' "$work/slave-$s.conf"
	printf '%s\n' "${ML[@]}" >>"$work/slave-$s.conf"
done
M1=$work/m1.log M2=$work/m2.log
mstart() { "$bin/hd-master-testroot" -v -f "$work/$1.conf" >>"$work/$1.log" 2>&1 &
	pids+=($!); disown $!; printf -v "pid_$1" '%s' "$!"; }
hcurl() { curl -s --cacert "$I/ca.crt" --max-time 10 "$@"; }
# masters_of_term N: how many nodes' logs say they were master of term N
masters_of_term() { cat "$M1" "$M2" | grep -c "is master of term $1 "; }

# 1. the slave lines
check "hd-master -n takes the slave lines" \
	quiet "$bin/hd-master" -n -f "$work/m1.conf"
cp "$work/m1.conf" "$work/bad.conf"
echo "slave slave-a" >>"$work/bad.conf"
check "a slave named twice is refused" grep -q "slave slave-a named twice" \
	<<<"$("$bin/hd-master" -n -f "$work/bad.conf" 2>&1)"
grep -v '^master' "$work/m1.conf" >"$work/bad.conf"
check "slave lines without master lines are refused" \
	grep -q "slave lines (the voters of an election) need the master lines" \
	<<<"$("$bin/hd-master" -n -f "$work/bad.conf" 2>&1)"

cp "$work/m1.conf" "$work/bad.conf"
echo "master-web nobody https://127.0.0.1:1/" >>"$work/bad.conf"
check "a master-web line naming no master line is refused" \
	grep -q "master-web nobody: not a node of the master lines" \
	<<<"$("$bin/hd-master" -n -f "$work/bad.conf" 2>&1)"

# 2. the first election: m1, then m2 joins the synchronous set
out=$("$bin/hd-master" -f "$work/m1.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
mstart m1
for s in a b c; do start hd-slave "slave-$s"; done
check "m1 is elected master of term 2" wait_log "$M1" \
	'failover: m1 is master of term 2 \(elected' 15
# A standby with other slave lines (none: a raw peer with m2's
# certificate) is refused, and the Standby card says why.
out=$(rawpeer -a "127.0.0.1:$p1" -m standby -c "$I/m2.crt" -k "$I/m2.key" \
	-C "$I/ca.crt" 2>&1)
check "a standby whose slave lines differ is refused (CONFIG)" grep -Eq \
	'refused: the slave lines of m1 and m2 differ \(3 slave lines here, 0 there\)' <<<"$out"
check "m1's log says it" wait_log "$M1" \
	'standby m2 \(127\.0\.0\.1:[0-9]+\) refused: the slave lines of m1 and m2 differ' 5
A=https://127.0.0.1:$w1/api/v1
check "m1's web process serves" wait_log "$M1" 'web process [0-9]+ serving' 10
login admin "$pw"; AS=$S AC=$C
check "the Standby card: refused_config, with the reason" grep -q \
	'"standby":{"state":"refused_config","id":"m2","detail":"the slave lines of m1 and m2 differ' \
	<(call GET cluster "" -H "$AS")
mstart m2
check "the three slaves register with m1" \
	wait_count "$work/slave-a.log" 'registered with master m1' 1 10
check "... slave-b, slave-c" eval 'wait_log "$work/slave-b.log" "registered with master m1" 10 &&
	wait_log "$work/slave-c.log" "registered with master m1" 10'
check "m2 follows m1" wait_log "$M2" 'standby: following master m1' 15
check "m2 joins the synchronous set" wait_log "$M1" \
	'failover: standby m2 in the synchronous set' 10
for s in a b c; do
	check "slave-$s: its fence allows m1 and m2 (persisted)" wait_log \
		"$work/slave-$s.log" 'vote: fence term 2 seq 1 allows m1,m2' 10
done
check "the Standby card has the command log's lag (a number: election)" \
	eval 'call GET cluster "" -H "$AS" | grep -Eq "\"lag\":\\{[^}]*\"records\":[0-9]+,\"records_ms\":[0-9]+"'
check "m2 refused slaves as a standby, naming the master" \
	eval '! grep -q "slave slave-.* online" "$M2"'

# 3. a session made on m1 before the takeover, and a command through it
out=$(call POST devices/slave-a/sim:lamp/values/on '{"value":true}' -H "$AS" -H "$AC")
check "a command through m1's API is accepted" grep -Eq '^202' <<<"$out"
check "slave-a executes it" wait_log "$work/slave-a.log" \
	'command [0-9]+ on sim:lamp' 10
same_sessions() {	# the session file reached m2 (bounded)
	local i
	for ((i = 0; i < 100; i++)); do
		cmp -s "$work/state-m1/sessions" "$work/state-m2/sessions" \
			2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
check "the session file reached m2" same_sessions
out=$(A=https://127.0.0.1:$w2/api/v1 call GET devices "" -H "$AS")
check "the standby's API: 503, not master, naming m1 and its address" \
	grep -q '^{"error":"not master","reason":"this node is a standby; ask the master","master":"m1","url":"https://127.0.0.1:'"$w1"'/"}$' <(tail -1 <<<"$out")
check "... with the status 503" grep -q '^503' <<<"$out"

# 4. SIGKILL m1: m2 is elected, the slaves follow it
kill -KILL "$pid_m1"
t0=$(date +%s%N)
check "m2 is elected master of term 3" wait_log "$M2" \
	'failover: m2 is master of term 3 \(elected' 10
t1=$(date +%s%N)
echo "# takeover: $(( (t1 - t0) / 1000000 )) ms from SIGKILL to m2 elected"
for s in a b c; do
	check "slave-$s registers with m2" wait_log "$work/slave-$s.log" \
		'registered with master m2 \(.*\), term 3' 10
done
check "one master of term 2, one of term 3" \
	test "$(masters_of_term 2)" = 1 -a "$(masters_of_term 3)" = 1

# 5. the session made on m1 works on m2's API; a command through it
A=https://127.0.0.1:$w2/api/v1
check "m2's web process serves" wait_log "$M2" 'web process [0-9]+ serving' 10
out=$(call GET devices "" -H "$AS")
check "the session made on m1 is valid on m2" grep -q '^200' <<<"$out"
before=$(count_log "$work/slave-a.log" 'command [0-9]+ on sim:lamp')
ok_cmd() {	# the slave has announced its devices to m2 (bounded)
	local i
	for ((i = 0; i < 50; i++)); do
		out=$(call POST devices/slave-a/sim:lamp/values/on \
			'{"value":false}' -H "$AS" -H "$AC")
		grep -Eq '^202' <<<"$out" && return 0
		sleep 0.1
	done
	return 1
}
check "a command through m2's API is accepted" ok_cmd
id=$(tail -1 <<<"$out" | grep -Eo '[0-9]+' | head -1)
check "slave-a executes the command from m2" wait_count \
	"$work/slave-a.log" 'command [0-9]+ on sim:lamp' $((before + 1)) 10
check "m2 hears its result" wait_log "$M2" "command $id OK" 10

# 6. m1 comes back: it follows m2, never master again
mstart m1
check "m1 restarted follows m2" wait_log "$M1" \
	'standby: following master m2' 15
check "m1 joins m2's synchronous set" wait_log "$M2" \
	'failover: standby m1 in the synchronous set' 10
check "still one master of term 3, none of another" \
	test "$(masters_of_term 3)" = 1 -a "$(cat "$M1" "$M2" |
		grep -c 'is master of term')" = 2
check "m1's new web process serves" wait_count "$M1" \
	'web process [0-9]+ serving' 2 10
out=$(A=https://127.0.0.1:$w1/api/v1 call POST devices/slave-a/sim:lamp/values/on \
	'{"value":true}' -H "$AS" -H "$AC")
check "m1's API now answers 503 naming m2 (no command taken)" \
	grep -q '"error":"not master",.*"master":"m2","url":"https://127.0.0.1:'"$w2"'/"' <<<"$out"
check "m1 adopted term 3 (persisted)" wait_log "$M1" \
	'failover: term 3 heard, adopted \(persisted\)' 5

# 7. the slaves go: m2 loses its majority, steps down, restarts as a
# standby; alone, neither node ever promotes
nweb=$(count_log "$M2" 'web process [0-9]+ serving')
nroot=$(count_log "$M2" 'hd-web.*chrooted to')	# 0: not root, none chroots
for s in a b c; do kill -TERM "$(pid_of "slave-$s")"; done
check "m2 steps down (no majority) and restarts as a standby" wait_log \
	"$M2" 'failover: m2 steps down from term 3 .*restarting as a standby' 10
check "m2 comes back as a standby" wait_log "$M2" \
	'failover: node 1 of 2, 3 voting slaves \(majority 2\), term 3' 10
# The new image holds no capability: the spawner it kept starts its web
# process, chrooted and dropped as before the restart.
check "m2 kept its spawner across the restart" wait_log "$M2" \
	'spawner [0-9]+ kept across the restart' 10
check "m2's web process serves again" wait_count "$M2" \
	'web process [0-9]+ serving' $((nweb + 1)) 15
check "... chrooted as before, never refused its set-up" eval \
	'! grep -q "web process setup failed" "$M2" &&
	{ [ "$nroot" -eq 0 ] || [ "$(count_log "$M2" "hd-web.*chrooted to")" -gt "$nroot" ]; }'
check "m2 asks for pre-votes three times, in vain" wait_count "$M2" \
	'asking the slaves for pre-votes for term 4' 3 15
check "... m1 too" wait_count "$M1" \
	'asking the slaves for pre-votes for term 4' 3 15
check "neither promoted alone" \
	test "$(cat "$M1" "$M2" | grep -c 'is master of term')" = 2
finish
