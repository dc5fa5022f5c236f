#!/usr/bin/env bash
# Value-triggered firings across a takeover (docs/FAILOVER.md#value-
# triggered-firings). Election configured, both masters with an events
# file: `follow` sets the barn's lamp on whenever the house's lamp goes
# on. The test switches the house's lamp off and on through the API; each
# opening's report fires `follow` under ids derived from the house's
# reading. The master is SIGKILLed 0-40 ms after switching it on (the
# report, its firing record, its commands in flight); sb is elected, the
# house replays the reports the master had not acknowledged (it holds
# the ack of a report until sb holds the state it made), and the
# switching goes on through sb. From the slaves' journals
# (check-values.py): every opening fired exactly once on the barn, no
# firing twice (under another id, or for a re-report), none lost; and the
# journal checker's rules (no id twice, terms never down, one master per
# term).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

EVENTS='event follow {
	when slave-house/sim:lamp.on changes to on
	do set slave-barn/sim:lamp.on = on
}
'
events_conf() {	# ha_elect_up's HA_EXTRA_NODE: each node its own file
	printf '%s' "$EVENTS" >"$work/$1.events"
	echo "events $work/$1.events" >>"$work/$1.conf"
}
HA_EXTRA_NODE=events_conf
ha_elect_up || finish

# fires: the barn's lamp set on by the event (the journal's exec lines).
fires() { grep -c '^exec .*origin=master .*dev=sim:lamp key=on value=b:true' \
	"$work/slave-barn.journal" 2>/dev/null; }
wait_fires() {	# wait_fires N SECONDS
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(fires)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
toggle() {	# toggle N: the house's lamp off, on, ... N times
	local i
	for ((i = 0; i < $1; i++)); do
		api_cmd slave-house sim:lamp on "$(bool "$i")"
		sleep 0.2
	done
}
toggle 6
check "the house's openings fire follow on the barn (3)" wait_fires 3 15
check "... under ids of the firings' own space" grep -Eq \
	'sched: event follow: command 18445[0-9]{15} to slave-barn' "$M"

# The kill: just after an opening, 0-40 ms (the phase differs from run
# to run: before the report, before the record reached sb, after).
api_cmd slave-house sim:lamp on false
sleep 0.3
n0=$(fires)
delta=$((RANDOM % 41))
api_cmd slave-house sim:lamp on true
sleep "$(printf '0.%03d' "$delta")"
check "kill -9 the master $delta ms after an opening" nkill master
check "sb is elected master of term 3" wait_log "$SB" \
    'failover: sb is master of term 3 \(elected' 15
for s in slave-house slave-barn; do
	check "$s registers with sb in term 3" wait_log "$work/$s.log" \
	    'registered with master sb \(.*\), term 3' 15
done
NSAPI=sb A=$SA
wait_api() {	# until sb's API takes a command for the house (bounded)
	local i n
	for ((i = 0; i < 50; i++)); do
		n=$(wc -l <"$work/accepted")
		api_cmd slave-house sim:lamp on false
		[ "$(wc -l <"$work/accepted")" -gt "$n" ] && return 0
		sleep 0.1
	done
	return 1
}
check "sb's API takes commands" wait_api
sleep 0.3
toggle 5	# false first: on, off, on after it
check "sb's firings reach the barn" wait_fires $((n0 + 3)) 15
check "every command either master accepted settles on sb" api_settle 30
# What sb did with the house's replayed reports (which phase the kill hit).
grep -E 'event follow (fired|: command)' "$SB" | head -3 | sed 's/^[^ ]* /# sb: /'
grep -E 'did not hold the state|acknowledged without' "$M" "$SB" |
    sed 's/^/# /'
settled() {	# every firing a master logged as sent was executed (bounded)
	local i id missing
	for ((i = 0; i < 50; i++)); do
		missing=0
		for id in $(grep -h 'sched: event follow: command [0-9]* to ' \
		    "$M" "$SB" | grep -v recorded |
		    sed 's/.*: command \([0-9]*\) to .*/\1/' | sort -u); do
			grep -q "^exec id=$id " "$work/slave-barn.journal" ||
			    missing=$((missing + 1))
		done
		[ "$missing" -eq 0 ] && return 0
		sleep 0.1
	done
	echo "# $missing firings sent never executed"
	return 1
}
check "every firing the masters sent was executed" settled
values() {
	python3 "$ntop/tests/netns/check-values.py" --event follow \
	    --source slave-house:sim:lamp --target slave-barn:sim:lamp \
	    "$@" >"$work/values.out" 2>&1
	local r=$?
	sed 's/^/# /' "$work/values.out"
	return $r
}
check "every opening of the house's lamp fired once on the barn, none twice, none lost" \
	values "$work/slave-house.journal" "$work/slave-barn.journal"
check "journals: no id twice, terms never down, one master per term" \
	check_journals
check "... term 2 was the master's, term 3 sb's" \
	grep -q 'terms 2:master, 3:sb;' "$work/checker.out"

# The checker's teeth: a firing made again under another id, and one lost.
mkdir -p "$work/bad"
cp "$work/slave-house.journal" "$work/bad/"
cp "$work/slave-barn.journal" "$work/bad/"
grep '^exec .*origin=master .*dev=sim:lamp key=on value=b:true' \
    "$work/slave-barn.journal" | tail -1 |
    sed 's/ id=[0-9]* / id=4242 /' >>"$work/bad/slave-barn.journal"
check "checker: a firing twice under another id fails" eval \
	'! values "$work/bad/slave-house.journal" "$work/bad/slave-barn.journal"'
id=$(grep '^exec .*origin=master .*dev=sim:lamp key=on value=b:true' \
    "$work/slave-barn.journal" | sed -n '2s/.* id=\([0-9]*\) .*/\1/p')
grep -v "^exec id=$id " "$work/slave-barn.journal" >"$work/bad/slave-barn.journal"
check "checker: a firing lost fails" eval \
	'! values "$work/bad/slave-house.journal" "$work/bad/slave-barn.journal"'
finish
