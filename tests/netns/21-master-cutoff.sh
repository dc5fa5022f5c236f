#!/usr/bin/env bash
# The elected master cut off from both slaves but NOT from the standby
# (docs/FAILOVER.md, "Partitions"): it loses its majority and steps down
# when its lease runs out (HA_LEASE_MS); sb, which then hears no master,
# is elected by the slaves and takes commands; the old master restarts as
# a standby and follows sb (it reaches it). Healed, it stays a follower
# and joins sb's synchronous set. Never two masters in a term, in the
# nodes' logs and in the slaves' journals.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

ha_elect_up || finish
burst 3 slave-house slave-barn
check "the session file reached sb" sessions_synced
check "the master's commands settle before the cut" api_settle 20
mv "$work/accepted.jsonl" "$work/accepted-old.jsonl"
: >"$work/accepted"	# sb does not know the old master's ids
check "cut the master off from the house" link_cut master slave-house
check "... and from the barn" link_cut master slave-barn
check "the master steps down (no majority)" wait_log "$M" \
	'failover: master steps down from term 2 .*restarting as a standby' 15
check "sb is elected master of term 3" wait_log "$SB" \
	'failover: sb is master of term 3 \(elected' 15
for s in slave-house slave-barn; do
	check "$s registers with sb in term 3" wait_log "$work/$s.log" \
	    'registered with master sb \(.*\), term 3' 15
done
check "the old master follows sb" \
	wait_log "$M" 'standby: following master sb' 15
NSAPI=sb A=$SA
burst 3 slave-house slave-barn
check "sb's API accepts commands (6)" \
	test "$(wc -l <"$work/accepted")" = 6
check "heal the master's links" eval \
	'link_heal master slave-house && link_heal master slave-barn'
check "the old master joins sb's synchronous set" wait_log "$SB" \
	'failover: standby master in the synchronous set' 15
burst 2 slave-house slave-barn
check "every command sb accepted settles, none missed" api_settle 30
cat "$work/accepted-old.jsonl" >>"$work/accepted.jsonl"
check "checker: every command once, terms never down, one master per term" \
	check_journals --no-missed --all-known
check "... term 2 was the master's, term 3 sb's" \
	grep -q 'terms 2:master, 3:sb;' "$work/checker.out"
check "one master of term 2, one of term 3, none of another" test \
	"$(masters_of_term 2)$(masters_of_term 3)$(cat "$M" "$SB" |
	    grep -c 'is master of term')" = 112
finish
