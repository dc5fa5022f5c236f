#!/usr/bin/env bash
# A flapping link between the master and a slave, with commands in flight
# all along (a commander in the background): cuts shorter than the
# heartbeat timeout (TCP resends what was held) and longer ones (both
# sides give up, the slave registers again and replays its queue), in a
# fixed order. Whatever the link did, the journals show each accepted
# command executed at most once, each executed one's result reaching the
# API, none lost.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

[ -n "$(awk '$2 == "API_CMD_KEEP" {print $3}' "$ntop/shared/hdlimits.h")" ] ||
	not_ok "API_CMD_KEEP read from shared/hdlimits.h"
cluster_up slave-house slave-barn || finish
H=$work/slave-house.log
burst 3 slave-house slave-barn

# The commander: one command after another to the house and the barn
# until the stop file appears. The API remembers the last API_CMD_KEEP
# commands (shared/hdlimits.h) and api_settle asks it about every one
# accepted, so all of them (with the 10 of the bursts) must fit: pairs
# are paced to spread them over the cuts, and capped.
keep=$(awk '$2 == "API_CMD_KEEP" {print $3}' "$ntop/shared/hdlimits.h")
pairs=$(((keep - 10) / 2))
commander() {
	local i
	for ((i = 0; i < pairs; i++)); do
		[ -e "$work/stop" ] && return 0
		api_cmd slave-house sim:lamp on "$(bool "$i")"
		api_cmd slave-barn sim:lamp on "$(bool "$i")"
		sleep 0.2
	done
}
commander &
cpid=$!
# Cut lengths in seconds; the heartbeat timeout is 2 s.
long=0
for c in 0.3 3.0 0.5 4.0 2.5; do
	reg=$(count_log "$H" 'registered with master master')
	link_cut master slave-house || not_ok "cut for $c s"
	sleep "$c"
	link_heal master slave-house || not_ok "heal after $c s"
	case $c in 0.*) continue ;; esac
	long=$((long + 1))
	check "after a $c s cut the house registers again" \
		wait_count "$H" 'registered with master master' $((reg + 1)) 15
	sleep 1		# commands over the restored link
done
touch "$work/stop"
for ((i = 0; i < 100; i++)); do	# one command takes at most 5 s
	kill -0 "$cpid" 2>/dev/null || break
	sleep 0.1
done
check "the commander stops" eval '! kill -0 "$cpid" 2>/dev/null'
regs=$(count_log "$H" 'registered with master master')
echo "# registrations: $regs (1 + $long long cuts + short ones that dropped the link)"
check "every long cut made the slave register again" test "$regs" -ge $((1 + long))
burst 2 slave-house slave-barn
check "every accepted command settles (ok or reported missed)" api_settle 40
check "checker: no command twice or lost, terms, one master per term" \
	check_journals --all-known
check "commands reached the house while the link flapped" \
	test "$(grep -c '^exec .*origin=master' "$work/slave-house.journal")" -ge 5
check "commands were refused while the house was away (503)" \
	grep -q '^503 slave-house ' "$work/refused"
finish
