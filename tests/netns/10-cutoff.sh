#!/usr/bin/env bash
# A slave cut off from the master during a burst of API commands, each
# node in its own namespace: the master sees it go and refuses commands
# to it (503 offline), the slave puts its GPIO relay in the safe state;
# healed, it registers again and replays what it queued (each result
# once); the other slave never noticed. The journals show every accepted
# command executed once, or reported missed by the API, none lost.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

cluster_up slave-house slave-barn || finish
H=$work/slave-house.log

# 1. a burst to both slaves, all delivered
burst 6 slave-house slave-barn
check "the first burst is accepted (12 commands)" \
	test "$(wc -l <"$work/accepted")" -eq 12

# 2. the house is cut off in the middle of the next burst
burst 2 slave-house slave-barn
safe0=$(count_log "$H" 'outputs to their safe state')
check "cut the house off from the master (both ways)" \
	link_cut master slave-house
t0=$SECONDS
# Bounded: at most 40 commands, or until the master refuses them.
for ((i = 0; i < 40; i++)); do
	api_cmd slave-house sim:lamp on $(bool $i)
	api_cmd slave-barn sim:lamp on $(bool $i)
	grep -q '^503 slave-house' "$work/refused" 2>/dev/null && break
	sleep 0.2
done
echo "# from the cut to the first refusal: $((SECONDS - t0)) s"
check "the master refuses commands to the house once it is gone (503)" \
	grep -q '^503 slave-house ' "$work/refused"
check "the barn's commands are all accepted meanwhile" \
	eval '! grep -q " slave-barn " "$work/refused"'
check "the master logs the house offline" \
	wait_log "$M" 'slave slave-house \(.*\) offline: heartbeat timeout' 10
check "the slave notices the master is gone" \
	wait_log "$H" 'lost master master' 10
check "the slave puts its relay in the safe state" \
	wait_count "$H" 'outputs to their safe state' $((safe0 + 1)) 10
check "the switch did drop the house's frames" \
	test "$(wire_stat master slave-house dropped)" -gt 0
check "heal the link" link_heal master slave-house
check "the house registers again" \
	wait_count "$H" 'registered with master master' 2 20
check "... and replays what it queued" \
	wait_log "$H" 'replaying [1-9][0-9]* queued message' 5

# 3. after the heal, commands work again
burst 4 slave-house slave-barn
check "every accepted command settles (ok or reported missed)" api_settle 30
check "checker: no command twice or lost, terms, one master per term" \
	check_journals --all-known
check "the house executed commands on both sides of the cut" \
	test "$(grep -c '^exec .*origin=master' "$work/slave-house.journal")" -ge 10
check "the journals hold one term and one master" \
	grep -q 'terms 1:master;' "$work/checker.out"
finish
