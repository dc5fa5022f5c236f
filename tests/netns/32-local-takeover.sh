#!/usr/bin/env bash
# Instants of a slave's local rules at a takeover (docs/FAILOVER.md#
# local-rules-at-a-takeover). Election configured, three slaves, both
# masters with the same events file: `barnlamp` every 1 s sets the barn's
# lamp on, an event of the barn's own devices and the time, so local to
# it (its local-after the default 60 s: it never runs them here). The
# master is SIGKILLed and the barn stopped (SIGSTOP) at once; sb is
# elected by the house and the shed, and the barn is let go on 2.5 s
# after that, so at least two instants fall due before it has registered
# with sb. sb holds each for the barn with its firing id (left to its
# local rules, they would be missed: only the last was handed back at its
# LocalSync) and sends them once the barn is back. From the barn's
# journal (check-firings.py): every instant from the first to the last
# executed exactly once, none reported missed, none twice; one master a
# term.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

EVENTS='event barnlamp {
	when every 1 s
	do set slave-barn/sim:lamp.on = on
}
'
events_conf() {	# ha_elect_up's HA_EXTRA_NODE
	printf '%s' "$EVENTS" >"$work/$1.events"
	echo "events $work/$1.events" >>"$work/$1.conf"
}
HA_EXTRA_NODE=events_conf
HA_SLAVES="slave-house slave-barn slave-shed"
ha_elect_up || finish

# execs: the event's "on" commands the barn executed.
execs() { grep -c '^exec .* dev=sim:lamp key=on value=b:true' \
	"$work/slave-barn.journal" 2>/dev/null; }
wait_execs() {	# wait_execs N SECONDS
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(execs)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
check "the master's firings reach the barn" wait_execs 2 15
check "barnlamp is one of the barn's local events" \
	wait_log "$M" 'sched: slave slave-barn: 1 local event' 5

barn=$(pid_of slave-barn)
check "kill -9 the master, stop the barn" eval 'nkill master &&
	kill -STOP "$barn"'
check "sb is elected master of term 3 (by the house and the shed)" \
	wait_log "$SB" 'failover: sb is master of term 3 \(elected' 15
t=$(($(date +%s%3N) + 2500))
while [ "$(date +%s%3N)" -lt "$t" ]; do sleep 0.1; done   # the barn away
check "the barn goes on" kill -CONT "$barn"
check "the barn registers with sb in term 3" wait_log "$B" \
    'registered with master sb \(.*\), term 3' 15
held='event barnlamp \(due [0-9]+\): slave slave-barn, whose local rules it is, is not back after the takeover'
check "sb held at least two instants of the barn's local rules for it" \
	wait_count "$SB" "$held" 2 5
check "... and sent it once the barn was back" wait_log "$SB" \
    'event barnlamp: command [0-9]+ to slave-barn/sim:lamp.on \(once its slave was back' 10
n0=$(execs)
check "sb's own firings reach the barn (2 more)" wait_execs $((n0 + 2)) 15
check "nothing left to the barn's local rules by sb" \
	test "$(count_log "$SB" "left to slave slave-barn's local rules")" -eq 0
check "nothing missed" test "$(count_log "$SB" 'barnlamp.*(missed|skipped)')" -eq 0
NSAPI=sb A=$SA
disable() {	# barnlamp disabled on sb (bounded; a login if refused)
	local i code
	for ((i = 0; i < 100; i++)); do
		code=$(post events/barnlamp/disable "" "${auth[@]}" | head -1)
		[ "$code" = 200 ] && return 0
		[ "$code" = 401 ] && admin_login
		sleep 0.1
	done
	return 1
}
check "barnlamp is disabled on sb (the firings end)" disable
settled() {	# every command sb logged as sent was executed (bounded)
	local i id missing
	for ((i = 0; i < 50; i++)); do
		missing=0
		for id in $(grep -h 'sched: event barnlamp: command [0-9]* to ' \
		    "$SB" | grep -v 'waits for' |
		    sed 's/.*: command \([0-9]*\) to .*/\1/' | sort -u); do
			grep -q "^exec id=$id " "$work/slave-barn.journal" ||
			    missing=$((missing + 1))
		done
		[ "$missing" -eq 0 ] && return 0
		sleep 0.1
	done
	echo "# $missing commands sent never executed"
	return 1
}
check "every command sb sent was executed" settled
grep -E "$held|once its slave was back" "$SB" | sed 's/^[^ ]* /# sb: /'
firings() {
	python3 "$ntop/tests/netns/check-firings.py" --event barnlamp \
	    --period-ms 1000 --device sim:lamp --order 0:slave-barn \
	    --log "$M" --log "$SB" "$work/slave-barn.journal" \
	    >"$work/firings.out" 2>&1
	local r=$?
	sed 's/^/# /' "$work/firings.out"
	return $r
}
check "every instant executed once on the barn, none twice, none missed" \
	eval 'firings && grep -q " 0 reported missed," "$work/firings.out"'
: >"$work/accepted.jsonl"
check "journals: no id twice, terms never down, one master per term" \
	check_journals
finish
