#!/usr/bin/env bash
# The missed record across a takeover (docs/FAILOVER.md#scheduled-firings,
# docs/SCHEDULER.md, missed events). Election configured, both masters
# with the same events file: `strict` every 1 s, catch-up none. The
# standby is stopped (the master goes on alone), then the master is
# stopped for more than 2 s and restarted: elected again (term 3), it
# skips the instants of the gap and records them (at least 2, as many as
# its log line says). The standby comes back, gets the master's state
# files (its sched.state holds the record) and joins the synchronous
# set. The master is SIGKILLed: sb, elected (term 4), shows the old
# master's record, plus its own takeover gap's instants if it skipped any
# (then its last instant and why are sb's); one master per term.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

EVENTS='event strict { when every 1 s catch-up none do notify "strict" }
'
events_conf() {	# ha_elect_up's HA_EXTRA_NODE
	printf '%s' "$EVENTS" >"$work/$1.events"
	echo "events $work/$1.events" >>"$work/$1.conf"
}
HA_EXTRA_NODE=events_conf
ha_elect_up || finish

re_missed='event strict \(every 1 s\) missed ([0-9]+) times? (in the takeover gap|while the master was stopped)'
# logged LOG: the count of strict's last "missed N times" line in LOG, or 0.
logged() {
	local n
	n=$(sed -En "s/.*$re_missed.*/\\1/p" "$1" | tail -1)
	echo "${n:-0}"
}
# record: strict's "missed" object as GET /api/v1/events/strict shows it
# on the API of $NSAPI ($A).
record() {
	hcurl "${auth[@]}" "$A/events/strict" |
	    sed -En 's/.*"missed":(\{[^}]*\}).*/\1/p'
}
count_of() { sed -En 's/^\{"count":([0-9]+),.*/\1/p' <<<"$1"; }
due_of() { sed -En 's/.*"last_due_ms":([0-9]+),.*/\1/p' <<<"$1"; }
why_of() { sed -En 's/.*"why":"([^"]*)".*/\1/p' <<<"$1"; }
# gone PID: wait (bounded) until the process has ended.
gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

check "the master's schedule runs" wait_count "$M" 'event strict: strict' 2 10
check "nothing missed yet" test "$(count_log "$M" "$re_missed")" -eq 0

# The master alone, then stopped past instants of strict.
p=$(pid_of sb)
kill -TERM "$p"
check "sb stops" gone "$p"
check "the master goes on alone" wait_log "$M" \
    'failover: standby sb out of the synchronous set' 15
p=$(pid_of master)
kill -TERM "$p"
check "the master stops" gone "$p"
stopped=$(date +%s%3N)
for ((i = 0; i < 100; i++)); do		# 2.1 s of the clock: 2 instants
	[ $(($(date +%s%3N) - stopped)) -ge 2100 ] && break
	sleep 0.1
done
nstart hd-master-testroot master
check "the master is elected again (term 3)" wait_log "$M" \
    'failover: master is master of term 3 \(elected' 20
check "it logs strict's instants of the gap skipped" \
	wait_log "$M" "$re_missed" 15
c1=$(logged "$M")
check "at least 2 of them ($c1)" test "$c1" -ge 2
check "the master serves its API again" \
	wait_count "$M" 'web process [0-9]+ serving' 2 15
check "the admin is logged in on the master" admin_login
rm=$(record)
check "the master's record: the $c1 logged: $rm" test "$(count_of "$rm")" = "$c1"
check "... its last instant after the stop" test "$(due_of "$rm")" -gt "$stopped"

# sb comes back and holds the master's state files.
synced=$(count_log "$M" 'failover: standby sb in the synchronous set')
nstart hd-master-testroot sb
check "sb joins the synchronous set again" wait_count "$M" \
    'failover: standby sb in the synchronous set' $((synced + 1)) 20
for s in slave-house slave-barn; do
	check "$s: its fence allows master and sb in term 3" wait_log \
	    "$work/$s.log" 'vote: fence term 3 seq [0-9]+ allows master,sb' 15
done
why=$(why_of "$rm")
check "sb's sched.state holds the record ($why)" \
	grep -aqF "$why" "$work/state-sb/sched.state"
check "the master's record unchanged before the kill" test "$(record)" = "$rm"

check "kill -9 the master" nkill master
check "sb is elected master of term 4" wait_log "$SB" \
    'failover: sb is master of term 4 \(elected' 15
check "sb's scheduler runs" wait_log "$SB" 'event strict: strict' 15
c2=$(logged "$SB")
NSAPI=sb A=$SA
# api_up: sb's API answers the events as master (bounded); the session
# made on the master is replicated, a login only if it is refused.
api_up() {
	local i code
	for ((i = 0; i < 100; i++)); do
		code=$(hcurl "${auth[@]}" -o /dev/null -w '%{http_code}' \
		    "$A/events/strict")
		[ "$code" = 200 ] && return 0
		[ "$code" = 401 ] && admin_login
		sleep 0.1
	done
	return 1
}
check "sb serves its API as master" api_up
rs=$(record)
echo "# the old master's record: $rm"
echo "# sb's, after skipping $c2 of its own: $rs"
check "sb's record holds the old master's $c1 and its own $c2" \
	test "$(count_of "$rs")" = "$((c1 + c2))"
if [ "$c2" -eq 0 ]; then
	check "... the old master's record exactly" test "$rs" = "$rm"
else
	check "... its last instant and why are sb's" eval \
	    '[ "$(due_of "$rs")" -gt "$(due_of "$rm")" ] &&
	     grep -q "\"why\":\"skipped in the takeover gap: " <<<"$rs"'
fi
check "one master in term 3 and in term 4" eval \
	'[ "$(masters_of_term 3)" -eq 1 ] && [ "$(masters_of_term 4)" -eq 1 ]'
finish
