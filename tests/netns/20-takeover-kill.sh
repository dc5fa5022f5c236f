#!/usr/bin/env bash
# SIGKILL of the elected master in the middle of a burst of API commands,
# each node in its own namespace (docs/FAILOVER.md, "Wiring"): the
# standby sb is elected master of term 3, both slaves register with it, a
# session made on the old master is valid on sb's API and a command
# through it is executed. Every command either master accepted goes
# through the replicated log, so sb's API answers for the old master's
# too (GET /api/v1/commands/{id}), and the journals show each of them
# executed exactly once (none missed, none twice), terms never down, one
# master per term (2: master, 3: sb). Commands in flight at the kill:
# 23-takeover-once.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

ha_elect_up || finish
burst 3 slave-house slave-barn
check "the first burst is accepted (6 commands)" \
	test "$(wc -l <"$work/accepted")" -eq 6
check "the session file reached sb" sessions_synced

# The kill in the middle of a burst: 4 pairs before it, 4 after (these
# find no API and are refused; bounded by curl's --max-time).
for ((i = 0; i < 8; i++)); do
	[ "$i" -eq 4 ] && { t0=$(date +%s%N); check "kill -9 the master" nkill master; }
	api_cmd slave-house sim:lamp on "$(bool "$i")"
	api_cmd slave-barn sim:lamp on "$(bool "$i")"
done
check "sb is elected master of term 3" wait_log "$SB" \
	'failover: sb is master of term 3 \(elected' 15
t1=$(date +%s%N)
echo "# takeover: $(( (t1 - t0) / 1000000 )) ms from SIGKILL to sb elected (upper bound)"
for s in slave-house slave-barn; do
	check "$s registers with sb in term 3" wait_log "$work/$s.log" \
	    'registered with master sb \(.*\), term 3' 15
done
cp "$work/accepted" "$work/accepted-old"

# sb's API, with the session made on the old master; it answers for the
# old master's commands too (its list is the replicated log).
NSAPI=sb A=$SA
new_cmd() {	# until sb has the slave's devices (bounded)
	local i n
	for ((i = 0; i < 50; i++)); do
		n=$(wc -l <"$work/accepted" 2>/dev/null || echo 0)
		api_cmd slave-house sim:lamp on true
		[ "$(wc -l <"$work/accepted" 2>/dev/null || echo 0)" -gt "$n" ] && return 0
		sleep 0.1
	done
	return 1
}
check "a command through sb's API (old session) is accepted" new_cmd
burst 3 slave-house slave-barn
check "every command either master accepted settles on sb" api_settle 30
check "... all of them executed (none missed)" eval \
	'! grep -Eq "\"result\":\"(offline|no_answer)\"" "$work/accepted.jsonl"'
check "checker: each exactly once, terms never down, one master per term" \
	check_journals --no-missed --all-known
check "... term 2 was the master's, term 3 sb's" \
	grep -q 'terms 2:master, 3:sb;' "$work/checker.out"
echo "# the old master accepted $(wc -l <"$work/accepted-old") commands"
check "one master of term 2, one of term 3, none of another" test \
	"$(masters_of_term 2)$(masters_of_term 3)$(cat "$M" "$SB" |
	    grep -c 'is master of term')" = 112
finish
