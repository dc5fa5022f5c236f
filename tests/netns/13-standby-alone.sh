#!/usr/bin/env bash
# A standby cut off alone (from the master and from every slave, both
# ways) must never take over: it has lost the master, but no majority of
# the slaves has (docs/FAILOVER.md). For as long as three heartbeat
# timeouts it says it lost the master and nothing more, the master goes
# on commanding the slave alone (its API says "lost"), and the slave acts
# for one master in one term; healed, the standby follows again.
# The election is configured (slave lines, two voting slaves): the
# standby asks for pre-votes again and again, and gets none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

ha_elect_up || finish
burst 4 slave-house slave-barn

# The standby alone: cut from the master and from the slave, both ways.
f0=$(count_log "$SB" 'standby: following master master')
check "cut the standby off from the master" link_cut sb master
check "... and from the slaves" eval \
	'link_cut sb slave-house && link_cut sb slave-barn'
check "the standby notices it lost the master" \
	wait_log "$SB" 'standby: lost master master' 10
check "the master notices it lost the standby" \
	wait_log "$M" 'standby sb \(.*\) lost' 10
cluster_state() {	# the standby's state in the master's GET /cluster
	hcurl "${auth[@]}" "$A/cluster" | grep -Eo '"standby":\{"state":"[a-z_]+"'
}
check "the master's API says the standby is lost" \
	eval 'cluster_state | grep -q "\"lost\""'
# Three heartbeat timeouts (2 s each), commanding the slave meanwhile.
end=$((SECONDS + 6))
for ((i = 0; i < 60 && SECONDS < end; i++)); do
	api_cmd slave-house sim:lamp on "$(bool "$i")"
	api_cmd slave-barn sim:lamp on "$(bool "$i")"
	sleep 0.2
done
check "the standby stands for election, in vain" wait_count "$SB" \
	'asking the slaves for pre-votes for term 3' 2 5
check "the standby never becomes master" eval \
	'! grep -Eq "is master of term|slave slave-.* online" "$SB"'
check "no slave ever granted it a vote" eval \
	'! grep -q "granted to sb" "$H" "$B"'
check "it still runs as a standby" eval \
	'! grep -q "master sb version" "$SB"'
check "no slave ever registered with the standby" \
	eval '! grep -q "registered with master sb" "$H" "$B"'
check "the slaves kept their master throughout" test \
	"$(count_log "$H" 'registered with master master ')$(count_log "$B" 'registered with master master ')" = 11
check "heal the standby's links" eval \
	'link_heal sb master && link_heal sb slave-house &&
	link_heal sb slave-barn'
check "the standby follows the master again" \
	wait_count "$SB" 'standby: following master master' $((f0 + 1)) 20
check "every accepted command settles" api_settle 30
check "checker: one master per term, no command twice or lost" \
	check_journals --all-known --no-missed
check "... the journal holds the master's commands only" \
	grep -q 'terms 2:master;' "$work/checker.out"
finish
