#!/usr/bin/env bash
# Central Scene: a remote's button presses become `scene_N` values that
# the master's scheduler triggers on (docs/ZWAVE.md): hd-zwsim's node 2
# sends Central Scene Notifications (`scene N S A`); a double press fires
# `changes to 2`, again at the second double press (the value goes back
# to 0 after each press), the very first press too (0 is reported before
# it), a single press fires only `changes to 1`, a notification repeated
# with its sequence number counts once, held then released fires the
# release.
. "$(dirname "$0")/lib.sh"

gen_pki
port=$(free_port)
P=$work/pki/good
E=$work/house.events
M=$work/master.log
S=$work/slave-house.log
cat >"$E" <<'EOT'
event double {
	when slave-house/zw:2:0.scene_1 changes to 2
	do notify "double press"
}
event single {
	when slave-house/zw:2:0.scene_1 changes to 1
	do notify "single press"
}
event released {
	when slave-house/zw:2:0.scene_1 changes from -1 to 0
	do notify "released"
}
EOT
master_conf master "$port" "$P" master "events $E"
zwsim
start hd-master master
check "the events are loaded" wait_log "$M" 'sched: 3 events loaded from' 10
slave_conf slave-house House "$port" "$P" "simulate no" \
	"zwave port $(cat "$work/pty")"
start hd-slave slave-house
check "slave online" wait_log "$M" 'slave slave-house .*online' 15
check "the four simulated nodes are interviewed" \
	wait_count "$S" 'zwave: node [2-5]: [0-9]+ command classes' 4 30

# 1. the first press ever is a double press: it fires
zw scene 2 1 3
check "a new value scene_1 on node 2" \
	wait_log "$S" 'zwave: node 2: new value scene_1' 10
check "the first double press fires" \
	wait_count "$M" 'event double: double press' 1 10
# 2. the same again: a change again
zw scene 2 1 3
check "the second double press fires too" \
	wait_count "$M" 'event double: double press' 2 10
# 3. the same notification again (same sequence number): once
zw sceneagain 2
check "a repeated notification is recognised" \
	wait_log "$S" 'zwave: node 2: scene notification [0-9]+ again' 10
# 4. a single press: only `changes to 1`
zw scene 2 1 0
check "a single press fires its event" \
	wait_count "$M" 'event single: single press' 1 10
check "... and not the double press's (still 2 of those)" \
	test "$(count_log "$M" 'event double: double press')" -eq 2
# 5. held down (twice), then released
zw scene 2 1 2
zw scene 2 1 2
zw scene 2 1 1
check "released after held fires" \
	wait_count "$M" 'event released: released' 1 10
check "nothing else fired" test "$(count_log "$M" 'event (double|single): ')" -eq 3
check "slave still running" kill -0 "$(pid_of slave-house)"
exec 3>&-
finish
