#!/usr/bin/env bash
# Z-Wave safe states (docs/ZWAVE.md#safe-states) with a real master and
# slave and our stick simulator: the master stops; after zwave-safe-after
# (1500 ms, said in the slave's log as measured) the slave sets the
# switch on and the dimmer to 20 through the node layer, each confirmed
# by the node's report; when the master is back it hears each safe state
# once, from the replay queue. The slave restarted while still cut off
# sets them again, counted from its start (what was queued before the
# restart is lost with the in-memory replay queue). Config lines refused
# with file:line.
. "$(dirname "$0")/lib.sh"

gen_pki
port=$(free_port)
P=$work/pki/good
M=$work/master.log
S=$work/slave-house.log

zwsim
master_conf master "$port" "$P" master
slave_conf slave-house House "$port" "$P" "simulate no" \
	"zwave port $(cat "$work/pty")" "zwave-safe zw:2:0 on on" \
	"zwave-safe zw:4:0 level 20" "zwave-safe-after 1500"

# 1. configuration
check "hd-slave -n accepts the zwave-safe lines" \
	quiet "$bin/hd-slave" -n -f "$work/slave-house.conf"
for bad in "zwave-safe lamp on on" "zwave-safe zw:2:0 on warm" \
    "zwave-safe zw:2:0 on" "zwave-safe-after 10"; do
	grep -v '^zwave-safe' "$work/slave-house.conf" >"$work/bad.conf"
	echo "$bad" >>"$work/bad.conf"
	n=$(wc -l <"$work/bad.conf")
	out=$("$bin/hd-slave" -n -f "$work/bad.conf" 2>&1)
	check "hd-slave -n refuses \"$bad\" with file:line" \
		grep -q "bad.conf:$n: " <<<"$out"
done
grep -v '^zwave port' "$work/slave-house.conf" >"$work/bad.conf"
out=$("$bin/hd-slave" -n -f "$work/bad.conf" 2>&1)
check "hd-slave -n refuses zwave-safe without a zwave port" \
	grep -q "zwave-safe without a zwave port" <<<"$out"

# 2. connected: nothing happens
start hd-master master
wait_log "$M" "listening on 127.0.0.1:$port" 5
start hd-slave slave-house
check "the master receives the Z-Wave devices" \
	wait_log "$M" 'slave slave-house announced 4 devices' 15
check "each node interviewed" \
	wait_count "$S" 'zwave: node [2-5]: [0-9]+ command classes' 4 20
check "connected: no safe state set" \
	test "$(count_log "$S" 'safe state')" -eq 0

# 3. cut off: after zwave-safe-after, both set and confirmed
kill -TERM "$(pid_of master)"
check "the slave loses its master" wait_log "$S" 'lost master' 10
check "the switch is set to its safe state (on), confirmed" \
	wait_log "$S" 'no master for [0-9]+ ms: zw:2:0\.on set to its safe state on' 10
check "the dimmer is set to its safe state (20), confirmed" \
	wait_log "$S" 'no master for [0-9]+ ms: zw:4:0\.level set to its safe state 20' 10
ms=$(grep -Eo 'no master for [0-9]+ ms: zw:2:0' "$S" | head -1 | awk '{print $4}')
check "not before zwave-safe-after: $ms ms >= 1500" test "${ms:-0}" -ge 1500
check "a Binary Switch SET and a Multilevel SET went out" \
	sh -c "grep -q 'node 2 gets 25 01' '$Z' && grep -q 'node 4 gets 26 01' '$Z'"

# 4. the master back: each safe state heard once
start hd-master master
check "the master hears the switch's safe state" \
	wait_log "$M" 'slave slave-house: set zw:2:0\.on to its safe state after [0-9]+ ms without a master: done' 15
check "... and the dimmer's" \
	wait_log "$M" 'slave slave-house: set zw:4:0\.level to its safe state after [0-9]+ ms without a master: done' 5
check "each once" sh -c "[ \$(grep -c 'set zw:2:0.on to its safe state' '$M') -eq 1 ] && \
	[ \$(grep -c 'set zw:4:0.level to its safe state' '$M') -eq 1 ]"

# 5. restarted while cut off: set again, counted from the start
kill -TERM "$(pid_of master)"
check "cut off again" wait_count "$S" 'lost master' 2 10
check "set again on the second cut" \
	wait_count "$S" 'zw:2:0\.on set to its safe state on' 2 10
kill -TERM "$(pid_of slave-house)"
wait_log "$S" 'slave slave-house stopped' 5
start hd-slave slave-house
check "the restarted slave, with no master, sets them from its start" \
	wait_count "$S" 'zw:2:0\.on set to its safe state on' 3 20
start hd-master master
# The second cut's SafeState waited in the replay queue, which is in the
# slave's memory: the restart lost it, as it loses any unsent report.
check "the master hears the one set after the restart" \
	wait_count "$M" 'set zw:2:0\.on to its safe state' 2 15
finish
