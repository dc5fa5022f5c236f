#!/usr/bin/env bash
# The scheduler in hd-master with a real slave (docs/SCHEDULER.md):
# hd-master -n checks the events file (file:line:col errors); a door
# contact turns the lamp on and off again after a restartable wait;
# start-up, online and every-N triggers; an action on a slave that never
# connected fails with a logged reason; delayed actions survive a kill -9
# of the master; SIGHUP with a broken file keeps the old schedule; a
# file broken at start-up runs the last good schedule (or none) instead
# of keeping the master down.
. "$(dirname "$0")/lib.sh"

gen_pki
port=$(free_port)
P=$work/pki/good
E=$work/house.events
M=$work/master.log

cat >"$E" <<'EOT'
# the integration test's events
mode house { home away }
event door-light {
	when slave-house/sim:door.open changes to on
	do set slave-house/sim:lamp.on = on
	   wait 3 s restart
	   set slave-house/sim:lamp.on = off
}
event hello { when startup do notify "scheduler started" }
event house-up { when online slave-house do notify "house online" }
event tick { when every 2 s if house is home do notify "tick" }
event barn-lamp { when every 3 s do set slave-barn/sim:lamp.on = on }
event delayed {
	when online slave-house
	do wait 6 s set slave-house/sim:lamp.on = on notify "delayed done"
}
EOT
master_conf master "$port" "$P" master "events $E" "latitude 52.52" \
	"longitude 13.405"
slave_conf slave-house House "$port" "$P"

# 1. hd-master -n
check "hd-master -n: the events file is checked" \
	sh -c "'$bin/hd-master' -n -f '$work/master.conf' | grep -q 'house.events: 6 events OK'"
cp "$E" "$work/good.events"
printf 'event bad {\n\twhen at 7:75 do notify "x"\n}\n' >>"$E"
"$bin/hd-master" -n -f "$work/master.conf" >"$work/n.out" 2>&1
check "hd-master -n: a bad file fails with file:line:col" \
	grep -q "house.events:18:10: a time of day is HH:MM" "$work/n.out"
cp "$work/good.events" "$E"

# 2. running
start hd-master master
check "master starts with the schedule" \
	wait_log "$M" 'sched: 6 events loaded from' 10
check "start-up event" wait_log "$M" 'event hello: scheduler started' 5
start hd-slave slave-house
check "online trigger" wait_log "$M" 'event house-up: house online' 10
check "a door change fires the event" \
	wait_log "$M" 'event door-light fired \(slave-house/sim:door.open changed\)' 10
check "its command reaches the slave" \
	wait_log "$M" 'event door-light: command [0-9]+ to slave-house/sim:lamp.on' 5
check "the slave confirms it" \
	wait_log "$M" 'slave slave-house: command [0-9]+ OK' 5
check "every 2 s with a mode condition" wait_count "$M" 'event tick: tick' 2 10
check "a slave that never connected: logged failure" \
	wait_log "$M" 'event barn-lamp: set slave-barn/sim:lamp.on failed: slave slave-barn is unknown' 10

# 3. kill -9 with a delayed action pending, restart: it still runs.
# The delayed action is in the state file (SchedState's pending, field
# 2, its event name field 1): decoded, not guessed from the time passed.
pending_saved() {
	python3 - "$work/state-master/sched.state" <<'EOP'
import sys
def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1; v |= (c & 0x7f) << s; s += 7
        if c < 0x80: return v, i
def fields(b):
    i = 0
    while i < len(b):
        k, i = varint(b, i)
        if k & 7 == 0: v, i = varint(b, i)
        elif k & 7 == 1: v, i = b[i:i + 8], i + 8
        elif k & 7 == 5: v, i = b[i:i + 4], i + 4
        elif k & 7 == 2: n, i = varint(b, i); v, i = b[i:i + n], i + n
        else: raise ValueError("wire type %d" % (k & 7))
        yield k >> 3, v
try:
    b = open(sys.argv[1], "rb").read()
    ok = any(f == 2 and any(g == 1 and v == b"delayed"
        for g, v in fields(p)) for f, p in fields(b))
except (OSError, IndexError, ValueError):
    ok = False
sys.exit(0 if ok else 1)
EOP
}
wait_pending_saved() {
	local i
	for ((i = 0; i < 100; i++)); do
		pending_saved && return 0
		sleep 0.1
	done
	return 1
}
check "delayed action pending, in the state file" wait_pending_saved
kill -KILL "$(pid_of master)"
mv "$M" "$work/master-1.log"
start hd-master master
check "after kill -9 the state is restored with its delayed actions" \
	wait_log "$M" 'sched: state restored from .*: [1-9][0-9]* delayed action' 10
check "the delayed action of before the kill runs" \
	wait_log "$M" 'event delayed: delayed done' 15

# 4. SIGHUP with a broken file keeps the old schedule; a good one loads.
n=$(count_log "$M" 'event tick: tick')
printf 'event tick {\n\twhen every 2 x do notify "x"\n}\n' >"$E"
kill -HUP "$(pid_of master)"
check "SIGHUP with a broken file: errors logged with file:line:col" \
	wait_log "$M" 'house.events:2:15: expected a unit' 5
check "SIGHUP: the old schedule keeps running" \
	wait_count "$M" 'event tick: tick' $((n + 2)) 10
cp "$work/good.events" "$E"
echo 'event extra { when every 1 s do notify "extra" }' >>"$E"
kill -HUP "$(pid_of master)"
check "SIGHUP with a good file: loaded" \
	wait_log "$M" 'sched: 7 events loaded from' 5
check "the new event runs" wait_log "$M" 'event extra: extra' 5
LG=$work/state-master/events.last-good
check "each good load keeps the last good schedule (0600)" \
	sh -c "grep -q 'event extra' '$LG' && [ \"\$(stat -c %a '$LG')\" = 600 ]"

# 5. Broken at start-up: the master starts on the last good schedule.
stop_master() {
	local pid i
	pid=$(pid_of master)
	kill -TERM "$pid"
	for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	mv "$M" "$work/master-$1.log"
}
stop_master 2
printf 'event tick {\n\twhen every 2 x do notify "x"\n}\n' >"$E"
start hd-master master
check "start-up with a broken file: its errors are logged" \
	wait_log "$M" 'house.events:2:15: expected a unit' 10
check "... and the last good schedule runs instead" \
	wait_log "$M" 'running the last good schedule' 5
check "... its events fire" wait_log "$M" 'event extra: extra' 5
check "... and the slave is served" wait_log "$M" 'slave-house.* online' 10
cp "$work/good.events" "$E"
kill -HUP "$(pid_of master)"
check "fixed and reloaded: the file's schedule runs again" \
	wait_log "$M" 'sched: 6 events loaded from .*house.events' 5
# The copy is written just after the "loaded" line: wait for it, bounded.
lg_follows() {
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q 'event tick' "$LG" && ! grep -q 'event extra' "$LG" &&
		    return 0
		sleep 0.1
	done
	return 1
}
check "the last good copy follows the file" lg_follows

# 6. No last good copy (a first install with a broken file): no events,
# but the master runs.
stop_master 3
rm -f "$LG"
printf 'event tick {\n\twhen every 2 x do notify "x"\n}\n' >"$E"
start hd-master master
check "no last good copy: the master runs with no events" \
	wait_log "$M" 'no last good schedule: running no events' 10
check "... and serves the slave" wait_log "$M" 'slave-house.* online' 10
check "... nor is a broken file kept as the last good one" test ! -e "$LG"
finish
