#!/usr/bin/env bash
# The standby killed (SIGKILL) during its first sync of the master's state
# files, on a slow link (500 ms each way): the master runs the example
# schedule, so its events file (169 KiB, six chunks of SSYNC_CHUNK with a
# window of SSYNC_WINDOW) takes two round trips, the second ending at
# least 1.5 s after the master says the standby attached; the master logs it lost and goes on commanding the slave
# alone; the standby restarted syncs again from what it has and ends with
# the master's files (master.state byte for byte); the slave acted for
# one master in one term throughout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

ha_up "events $top/deploy/examples/home.events" "latitude 47.37" \
    "longitude 8.54" || finish
# A first sync from nothing: the standby stopped, its state dir emptied.
kill_sb() { nkill sb; }
check "stop the standby" kill_sb
rm -rf "$work/state-sb"
check "a slow link between the standby and the master" \
	link_impair sb master delay=500
attached=$(count_log "$M" 'standby sb: attached, state files syncing')
sbl=$(wc -l <"$SB")
nstart hd-master-testroot sb
check "the restarted standby (empty state dir) attaches" \
	wait_count "$M" 'standby sb: attached, state files syncing' $((attached + 1)) 30
check "its sync is not complete yet" eval '! tail -n +$((sbl + 1)) "$SB" |
	grep -q "every state file of the master is applied"'
check "kill -9 the standby in the middle of its first sync" kill_sb
check "the master logs the standby lost" \
	wait_count "$M" 'standby sb \(.*\) lost' 2 15
burst 4 slave-house
check "heal the link" link_heal sb master
applied=$(count_log "$SB" 'every state file of the master is applied')
nstart hd-master-testroot sb
check "the standby restarted syncs to the end" \
	wait_count "$SB" 'every state file of the master is applied' $((applied + 1)) 30
for f in master.state events.last-good; do
	check "$f is the master's, byte for byte" \
		cmp -s "$work/state-master/$f" "$work/state-sb/$f"
done
burst 2 slave-house
check "every accepted command settles" api_settle 30
# Not --all-known: the schedule may command the slave too.
check "checker: one master per term, no command twice or lost" \
	check_journals --no-missed
finish
