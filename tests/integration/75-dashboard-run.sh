#!/usr/bin/env bash
# The dashboard's "Run now" exactly once across a takeover (docs/WEB.md,
# "Run now"; docs/FAILOVER.md#run-from-the-api): two masters elected by
# two slaves, their dashboards on two hosts (m1 on 127.0.0.1, m2 on
# 127.0.0.2), as in 72-handover.sh, both with the same events file: events
# fired by nothing but a run, each setting slave-a's lamp. In headless
# Chromium (tests/browser/runkey.mjs): a run on m1 (the standby holds its
# record); a run whose answer m1 gave is lost (held in the browser's
# network stack, m1 SIGKILLed, then the connection reset): the page moves
# to m2 and asks again with the same key, a repeat; on m2 alone a run not
# replicated (a warning); a run while m2's web process is stopped (the
# call times out and is asked again with the same key); with both masters
# dead, a run given up after the page's bound ("may or may not"). Then, from
# slave-a's action journal and the masters' logs of the commands each
# event sent: each run executed exactly once.
. "$(dirname "$0")/lib.sh"

L=$work/lic
"$top/tests/integration/gen-test-licences.sh" "$L" >/dev/null ||
	{ not_ok "generate test licences"; finish; }
I=$L/inst
for n in m1 m2; do "$top/pki/hd-pki" issue "$I" standby "$n" >/dev/null; done
"$top/pki/hd-pki" issue "$I" web web --san IP:127.0.0.1,IP:127.0.0.2 >/dev/null
export HD_LICENCE_ROOT=$L/vendor/root.crt
export HD_LICENCE_CLOCK=$work/clock
echo 0 >"$HD_LICENCE_CLOCK"
p1=$(free_port); p2=$(free_port); w1=$(free_port); w2=$(free_port)
U1=https://127.0.0.1:$w1/ U2=https://127.0.0.2:$w2/
cp "$L/renewal.pem" "$work/licence.pem"	# standby, app-api
E=$work/home.events
EVENTS="lamp-a lamp-b lamp-c lamp-d"
for e in $EVENTS lamp-e; do
	printf 'event %s { do set slave-a/sim:lamp.on = on }\n' "$e"
done >"$E"
ML=("master m1 127.0.0.1:$p1" "master m2 127.0.0.1:$p2")
SL=("slave slave-a" "slave slave-b")
for n in m1 m2; do
	if [ $n = m1 ]; then p=$p1 w=127.0.0.1:$w1; else p=$p2 w=127.0.0.2:$w2; fi
	master_conf $n "$p" "$I" $n "licence $work/licence.pem" "events $E" \
		"web-listen $w" "web-cert $I/web.crt" "web-key $I/web.key" \
		"${ML[@]}" "${SL[@]}" "master-web m1 $U1" "master-web m2 $U2"
done
for s in a b; do
	slave_conf "slave-$s" "Site ${s^^}" "$p1" "$I" "journal $work/slave-$s.journal"
	sed -i '/^master /d' "$work/slave-$s.conf"
	printf '%s\n' "${ML[@]}" >>"$work/slave-$s.conf"
done
M1=$work/m1.log M2=$work/m2.log
mstart() { "$bin/hd-master-testroot" -v -f "$work/$1.conf" >>"$work/$1.log" 2>&1 &
	pids+=($!); disown $!; printf -v "pid_$1" '%s' "$!"; }

# 1. m1 elected, m2 its synchronous standby
out=$("$bin/hd-master" -f "$work/m1.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
mstart m1
for s in a b; do start hd-slave "slave-$s"; done
check "m1 is elected master of term 2" wait_log "$M1" \
	'failover: m1 is master of term 2 \(elected' 15
mstart m2
check "m2 joins m1's synchronous set" wait_log "$M1" \
	'failover: standby m2 in the synchronous set' 15
check "both web processes serve" eval 'wait_log "$M1" "web process [0-9]+ serving" 10 &&
	wait_log "$M2" "web process [0-9]+ serving" 10'
check "slave-a is online at m1" wait_log "$M1" 'slave slave-a.* online' 15

# 2. the browser
chromium=${HD_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ] || ! command -v node >/dev/null ||
    ! "$top/tests/browser/install.sh" >"$work/npm.log" 2>&1; then
	echo "skip - $tname: browser checks (no $chromium, node or playwright-core)"
	finish
fi
spki=$(openssl x509 -in "$I/web.crt" -pubkey -noout | openssl pkey -pubin -outform der |
	openssl dgst -sha256 -binary | base64)
HD_TNAME=$tname HD_SPKI=$spki HD_URL_A=$U1 HD_URL_B=$U2 HD_USER=admin \
HD_PASSWORD=$pw HD_SHOTS=$work HD_PID_A=$pid_m1 HD_PID_B=$pid_m2 HD_NODE_B=m2 HD_LOG_B=$M2 \
HD_SESS_A=$work/state-m1/sessions HD_SESS_B=$work/state-m2/sessions \
	timeout 300 node "$top/tests/browser/runkey.mjs" 2>>"$work/browser.log"
rc=$?
[ "$rc" -eq 0 ] || failures=$((failures + 1))
check "the browser run ended by itself (status $rc)" test "$rc" -le 1

# 3. each event's commands (either master's log), executed by slave-a
# exactly once in all (its journal): none lost, none twice.
execs() {	# execs EVENT: how many of its commands slave-a executed
	local id n=0
	for id in $(cat "$M1" "$M2" | grep -Eo "sched: event $1: command [0-9]+ " |
	    awk '{print $5}' | sort -u); do
		n=$((n + $(grep -c "^exec id=$id " "$work/slave-a.journal")))
	done
	echo "$n"
}
all_ran() {	# every event's command executed (bounded)
	local i e
	for ((i = 0; i < 100; i++)); do
		for e in $EVENTS; do [ "$(execs "$e")" -ge 1 ] || { sleep 0.1; continue 2; }; done
		return 0
	done
	return 1
}
check "slave-a executed a command of each run" all_ran
for e in $EVENTS; do
	check "$e: executed exactly once" test "$(execs "$e")" -eq 1
done
check "lamp-e, asked with no master alive: not executed" test "$(execs lamp-e)" -eq 0
check "... nor fired by either master" eval '! grep -q "event lamp-e" "$M1" "$M2"'
check "m1 ran lamp-b with a client key" grep -Eq \
	'api: admin runs event lamp-b with key [0-9a-f]{32}$' "$M1"
key=$(grep -Eo 'runs event lamp-b with key [0-9a-f]{32}$' "$M1" | awk '{print $NF}')
check "m2 answered the same key as a repeat, firing nothing" grep -q \
	"api: admin runs event lamp-b again with key $key: a repeat" "$M2"
finish
