#!/usr/bin/env bash
# hd-master --force-promote (docs/FAILOVER.md, "Forcing a standby up"):
# the link between the master and its standby sb is cut, so the master
# goes on alone ("standby lost": the slaves' fence allows it alone).
#   - Forced while the master lives: the slaves still hear it and refuse;
#     sb gives the force up, no term is raised, the master stays master.
#   - The master killed for good: sb (not forced) stands again and again
#     and is refused every time (the fence).
#   - The operator forces sb: it is master of term 3, each slave logs its
#     forced vote, the slaves register with it, a command through its API
#     (the session made on the old master) is executed. The journals: one
#     master per term, no command twice, terms never down.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

# sb started again, with --force-promote.
force_sb() {
	nkill sb || return 1
	ip netns exec "$(nsof sb)" "$bin/hd-master-testroot" -v \
	    -f "$work/sb.conf" --force-promote >>"$SB" 2>&1 &
	pids+=($!)
	disown $!
	pid_sb=$!
}
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

ha_elect_up || finish
burst 2 slave-house slave-barn
check "the session file reached sb" sessions_synced
check "cut the link between the master and sb" link_cut master sb
check "the master goes on without sb" wait_log "$M" \
	'failover: standby sb out of the synchronous set' 15
for s in slave-house slave-barn; do
	check "$s: its fence allows the master alone" wait_log \
	    "$work/$s.log" 'vote: fence term 2 seq [0-9]+ allows master$' 15
done

# Forced while the master lives: refused by the slaves.
check "sb restarted with --force-promote" force_sb
check "sb stands, forced" wait_log "$SB" \
	'pre-votes for term 3, forced by the operator' 15
check "... and gives it up: the slaves still hear the master" wait_log \
	"$SB" 'force-promote given up in term 2: no majority' 15
check "no slave gave a forced vote" eval \
	'! grep -q "FORCED vote" "$H" "$B"'
check "no term raised: no master of term 3" test "$(masters_of_term 3)" = 0
burst 2 slave-house slave-barn
check "the master still commands both slaves" api_settle 30

# The master dies for good; sb alone cannot be elected.
sbl=$(count_log "$SB" 'asking the slaves for pre-votes')
check "kill -9 the master" nkill master
check "sb stands three times more" wait_count "$SB" \
	'asking the slaves for pre-votes' $((sbl + 3)) 20
check "... and is never elected (the fence)" test "$(masters_of_term 3)" = 0

# The operator forces it.
# The old master's API is gone: only sb's commands are checked as
# accepted (the old ones were settled above and stay in the journals).
mv "$work/accepted" "$work/accepted-old"
: >"$work/accepted"
check "sb restarted with --force-promote" force_sb
check "sb is master of term 3, forced" wait_log "$SB" \
	'failover: sb is master of term 3 \(FORCED' 20
check "it says what may be lost" grep -q \
	'commands it accepted and had not sent are lost' "$SB"
for s in slave-house slave-barn; do
	check "$s logs its forced vote" wait_log "$work/$s.log" \
	    'vote: FORCED vote for sb in term 3 .*did not allow' 5
	check "$s registers with sb in term 3" wait_log "$work/$s.log" \
	    'registered with master sb \(.*\), term 3' 15
done
NSAPI=sb A=$SA
check "a command through sb's API (old session) is accepted" new_cmd
burst 2 slave-house slave-barn
check "every accepted command settles" api_settle 30
check "checker: no id twice, terms never down, one master per term" \
	check_journals
check "... term 2 was the master's, term 3 sb's" \
	grep -q 'terms 2:master, 3:sb;' "$work/checker.out"
check "one master of term 2, one of term 3, none of another" test \
	"$(masters_of_term 2)$(masters_of_term 3)$(cat "$M" "$SB" |
	    grep -c 'is master of term')" = 112
finish
