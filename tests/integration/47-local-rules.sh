#!/usr/bin/env bash
# Local rules (docs/SCHEDULER.md#local-rules) between real processes: a
# master and a simulated slave; the master stopped across two scheduled
# firings of the slave's own events; the slave runs them itself after
# local-after, once each, and is restarted while still cut off between
# the two (its rules, fired ids and unreported firings come back from
# its state-dir); the master started again hears of each firing once,
# marked local, and sends no command of its own for them.
. "$(dirname "$0")/lib.sh"

gen_pki
port=$(free_port)
P=$work/pki/good
E=$work/house.events
M=$work/master.log
SL=$work/slave-house.log
export TZ=UTC

# Two instants ahead, whole seconds, in the daemons' zone (UTC): the
# first leaves room for both to start and the master to stop before it.
t1=$(($(date +%s) + 25))
t2=$((t1 + 15))
at1=$(date -u -d "@$t1" +%H:%M:%S)
at2=$(date -u -d "@$t2" +%H:%M:%S)
cat >"$E" <<EOT
event lamp-on { when at $at1 do set slave-house/sim:lamp.on = on }
event lamp-off { when at $at2 do set slave-house/sim:lamp.on = off }
event chatter { when every 2 s do notify "tick" }
EOT
master_conf master "$port" "$P" master "events $E"
slave_conf slave-house House "$port" "$P" "local-after 1000"

stop_one() {	# stop_one NAME: SIGTERM, wait (bounded) for it to exit
	local pid i
	pid=$(pid_of "$1")
	kill -TERM "$pid"
	for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$pid" 2>/dev/null
}

# 1. The rule set: the slave's two events, not the master's chatter.
start hd-master master
start hd-slave slave-house
check "the master sends the slave its 2 local events" \
	wait_log "$M" 'sched: slave slave-house: 2 local events, version [0-9a-f]{16}' 15
check "the slave keeps them in local.rules" \
	wait_log "$SL" 'local rules: version [0-9a-f]{16}, 2 events, kept in local.rules' 10
check "local.rules is in the slave's state-dir (0600)" \
	test "$(stat -c %a "$work/state-slave-house/local.rules" 2>/dev/null)" = 600

# 2. The master stops before the first instant.
check "the master stops" stop_one master
mv "$M" "$work/master-1.log"
check "... before the first firing is due" test "$(date +%s)" -lt "$((t1 - 2))"
check "cut off for local-after, the slave runs its rules" \
	wait_log "$SL" 'local rules: no master for [0-9]+ ms: running 2 local events' 10
check "the first firing runs on the slave" \
	wait_log "$SL" "local rules: event lamp-on \\(due ${t1}000\\): set sim:lamp.on" 40
check "... its command done on the device" \
	wait_log "$SL" 'local rules: command [0-9]+ done' 5
check "... once" test "$(count_log "$SL" 'local rules: event lamp-on')" -eq 1
check "... kept for the master in local.pending" \
	test -s "$work/state-slave-house/local.pending"

# 3. The slave restarted while still cut off.
check "the slave stops" stop_one slave-house
mv "$SL" "$work/slave-house-1.log"
start hd-slave slave-house
check "restarted, it reads its rules back" \
	wait_log "$SL" 'local rules: version [0-9a-f]{16} read from .*local.rules' 10
check "... and runs them after local-after from its start" \
	wait_log "$SL" 'local rules: no master for [0-9]+ ms: running 2 local events' 10
check "... without repeating the firing made before the restart" \
	test "$(count_log "$SL" 'local rules: event lamp-on')" -eq 0
check "the second firing runs on time, once" \
	wait_log "$SL" "local rules: event lamp-off \\(due ${t2}000\\): set sim:lamp.on" 30
check "... and not before its instant" \
	test "$(date +%s)" -ge "$t2"

# 4. The master back: each firing heard once, marked local.
start hd-master master
# The slave's back-off may have reached RECONNECT_MAX_MS (30 s) + 25 %.
check "the slave stops its rules when the master is back" \
	wait_log "$SL" 'local rules: stopped, a master is back' 40
check "it reports both firings, the one of before its restart too" \
	wait_log "$SL" 'local rules: 2 firings reported to the master' 5
check "the master hears of lamp-on, fired locally" \
	wait_log "$M" "sched: event lamp-on: fired on slave slave-house by its local rules \\(due ${t1}000" 10
check "the master hears of lamp-off, fired locally" \
	wait_log "$M" "sched: event lamp-off: fired on slave slave-house by its local rules \\(due ${t2}000" 10
# A repeat would come in the same replay, already read above; two
# chatter ticks show the master's loop ran past it.
check "the master's loop runs on" wait_count "$M" 'event chatter: tick' 2 10
for ev in lamp-on lamp-off; do
	check "$ev: heard once" \
		test "$(count_log "$M" "event $ev: fired on slave")" -eq 1
	check "$ev: the master sent no command of its own for it" \
		test "$(count_log "$M" "event $ev: command [0-9]+ to")" -eq 0
done
check "at its start the master left the missed firings to the slave" \
	grep -q "event lamp-on: left to slave slave-house's local rules" "$M"
# LocalPendingFile with its format (field 1 = 1) and no firing: 08 01.
check "local.pending holds no firing once reported (format 1, empty)" \
	test "$(od -An -tx1 "$work/state-slave-house/local.pending" | tr -d ' \n')" = 0801
check "each firing ran once on the slave, over both its runs" \
	test "$(cat "$work"/slave-house*.log | grep -Ec 'local rules: event lamp-(on|off) \(due')" -eq 2
finish
