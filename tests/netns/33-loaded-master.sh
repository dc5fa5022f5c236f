#!/usr/bin/env bash
# A stalled master (docs/FAILOVER.md, "Lease"): SIGSTOP of the elected
# master's process, as a slow fsync or a heavy page on a Pi stalls its
# event loop. A pause shorter than the documented bound (HA_LEASE_MS -
# 2 * HA_TICK_MS, 700 ms; here 300 ms) costs nothing: the master keeps
# term 2, steps down not, and a command through its API right after is
# executed. A pause past the slaves' HA_LOST_MS: exactly one takeover
# (sb, term 3), and the old master, resumed, steps down and follows sb;
# no term 3 of its own, no term 4; the journals show one master a term
# and every command executed exactly once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

SHORT_MS=300
BOUND_MS=700		# HA_LEASE_MS - 2 * HA_TICK_MS

ha_elect_up || finish
mp=$(pid_of master)

# The short pause. Measured: a loaded machine may run the shell late,
# and only a pause within the bound proves anything.
t0=$(date +%s%N)
kill -STOP "$mp"
sleep "0.$SHORT_MS"
kill -CONT "$mp"
t1=$(date +%s%N)
paused=$(( (t1 - t0) / 1000000 ))
echo "# short pause: $paused ms (bound $BOUND_MS ms)"
check "the short pause stayed within the bound" test "$paused" -lt "$BOUND_MS"
# The master acts again: a command through its API is accepted (it
# holds its lease) and executed. Its heartbeats flow again, so no
# election can follow from the pause once this is done.
api_cmd slave-house sim:lamp on true
check "a command through the master after the pause is accepted" \
	test "$(wc -l <"$work/accepted" 2>/dev/null || echo 0)" -eq 1
check "... and executed" api_settle 20
check "the master kept its lease: it did not step down" \
	eval '! grep -Eq "lost its lease|steps down" "$M"'
check "... no election: sb asked for no pre-vote" \
	eval '! grep -q "asking the slaves for pre-votes" "$SB"'

# The long pause: until sb is elected (bounded), then resumed.
t0=$(date +%s%N)
kill -STOP "$mp"
check "sb is elected master of term 3 while the master is stopped" \
	wait_log "$SB" 'failover: sb is master of term 3 \(elected' 20
t1=$(date +%s%N)
echo "# takeover: $(( (t1 - t0) / 1000000 )) ms from SIGSTOP to sb elected (upper bound)"
kill -CONT "$mp"
# (for its lease, or at the higher term it hears: whichever comes first)
check "the old master, resumed, steps down" \
	wait_log "$M" 'failover: master steps down from term [0-9]+' 20
check "... and follows sb" wait_log "$M" 'standby: following master sb' 30
for s in slave-house slave-barn; do
	check "$s registers with sb in term 3" wait_log "$work/$s.log" \
	    'registered with master sb \(.*\), term 3' 20
done
NSAPI=sb A=$SA
api_cmd slave-barn sim:lamp on true
check "a command through sb is accepted" \
	test "$(wc -l <"$work/accepted")" -eq 2
check "... and every command settles (executed)" api_settle 20
check "exactly one master of term 3, none of term 4" \
	eval '[ "$(masters_of_term 3)" -eq 1 ] && [ "$(masters_of_term 4)" -eq 0 ] &&
	    ! grep -q "is master of term 3" "$M"'
check "checker: executed exactly once, one master a term" \
	check_journals --no-missed
finish
