#!/usr/bin/env bash
# Z-Wave nodes as devices, against our stick simulator (hd-zwsim) with a
# test master (hd-testmaster) sending commands: each node is interviewed
# (node information frame -> command classes -> values) and announced;
# the switch is switched and the result confirmed by its report; the
# dimmer takes a level; sensor reports arrive as values with units and
# the low-battery flag; a command whose report never comes times out; a
# node that stops acknowledging is faulted and recovers; a stick that
# restarts mid-send (SerialAPIStarted) fails the command at once and is
# started again; a jammed radio (TX status FAIL) is retried with back-off,
# never faults the node, and is a stick fault until a send gets through;
# a jam that outlasts the tries soft-resets the stick (a 700-series one,
# hd-zwsim -7, which is also soft-reset once at start-up), and the
# start-up after it does not clear the fault while the radio is jammed;
# a restart does not interview again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_tm

# 1. simulator, test master, slave
zwsim -7
zw_start
check "a 700-series stick is soft-reset at start-up" \
	wait_log "$S" 'soft-resetting the stick at start-up' 10
check "its SerialAPIStarted ends the wait" \
	wait_log "$S" 'the stick restarted after our soft reset' 10

# 2. interview
check "each node interviewed" \
	wait_count "$S" 'zwave: node [2-5]: [0-9]+ command classes' 4 20
check "the switch has a writable on" \
	wait_log "$T" '^device zw:2:0 DEV_SWITCH on:bool:rw$' 5
check "the dimmer has a writable level 0..99 %" \
	wait_log "$T" '^device zw:4:0 DEV_DIMMER level:int:rw:0\.\.99/%$' 5
check "the sensor's temperature is announced with its unit" \
	wait_log "$T" '^device zw:5:0 DEV_SENSOR .*temperature:double:ro/' 10
check "the first reports arrive: temperature 21.5" \
	wait_log "$T" '^report zw:5:0 temperature 21\.5 ' 10
check "battery 80 %" wait_log "$T" '^report zw:5:0 battery 8(0|e\+01) ' 10
check "the switch's manufacturer and product are read" \
	wait_log "$S" 'node 2: manufacturer 0086, product 0003:0060' 10
check "the binary sensor reports no motion" \
	wait_log "$T" '^report zw:3:0 motion false ' 10

# 3. commands, confirmed by the node's report
send 'cmd 11 zw:2:0 on true'
check "cmd 11: switch on confirmed" wait_log "$T" '^result 11 OK true$' 10
check "cmd 11: a Binary Switch SET went to node 2" \
	grep -q 'node 2 gets 25 01' "$Z"
check "cmd 11: the switch reports on" grep -q '^report zw:2:0 on true ' "$T"
send 'cmd 12 zw:2:0 on false'
check "cmd 12: switch off confirmed" wait_log "$T" '^result 12 OK false$' 10
send 'cmd 13 zw:4:0 level 40'
check "cmd 13: dimmer level 40 confirmed" \
	wait_log "$T" '^result 13 OK 40$' 10
check "cmd 13: the dimmer reports 40" grep -q '^report zw:4:0 level 40 ' "$T"
send 'cmd 14 zw:4:0 level 100'
check "cmd 14: level 100 refused" wait_log "$T" '^result 14 BAD_VALUE' 5

zw mute 4 1
send 'cmd 17 zw:4:0 level 10'
check "cmd 17: no report from the dimmer: TIMEOUT" \
	wait_log "$T" '^result 17 TIMEOUT' 15
zw mute 4 0

# 4. unsolicited reports
zw temp 5 -35
check "a report of -3.5 degrees" \
	wait_log "$T" '^report zw:5:0 temperature -3\.5 ' 10
zw motion 3 1
check "motion reported" wait_log "$T" '^report zw:3:0 motion true ' 10
zw battery 3 255
check "a low-battery warning carries the flag" \
	wait_log "$T" '^report zw:3:0 battery 0(\.0)? lowbat' 10
zw battery 3 40
check "40 %: not low" wait_log "$T" '^report zw:3:0 battery 4(0|e\+01) at=' 10
zw battery 3 9
check "9 %, without the node's warning, is low too (ZW_BATTERY_LOW_PCT)" \
	wait_log "$T" '^report zw:3:0 battery 9(\.0)? lowbat' 10

# 5. a node that stops acknowledging
zw deaf 2
send 'cmd 15 zw:2:0 on true'
check "cmd 15: the deaf node fails the command" \
	wait_log "$T" '^result 15 DEVICE_FAULT' 15
check "the node is faulted" \
	wait_log "$T" '^fault zwave zw:2:0 raised' 5
check "its last value is reported again with the fault flag" \
	wait_log "$T" '^report zw:2:0 on (true|false) fault at=' 5
zw hear 2
send 'cmd 16 zw:2:0 on true'
check "cmd 16: it answers again" wait_log "$T" '^result 16 OK true$' 10
check "its fault is cleared" wait_log "$T" '^fault zwave zw:2:0 cleared' 5

# 5b. the stick restarts mid-send (a 700/800 stick's watchdog): its
# SerialAPIStarted fails the command at once (not after the 65 s callback
# wait) and the controller starts again
zw reset
send 'cmd 18 zw:2:0 on false'
check "cmd 18: the stick restarts mid-send: FAILED at once, saying so" \
	wait_log "$T" '^result 18 FAILED - the stick restarted' 10
check "the restart is logged" \
	wait_log "$S" 'the stick restarted \(SerialAPIStarted\)' 5
check "the controller starts again" \
	wait_count "$S" 'zwave: controller ready' 2 15
send 'cmd 19 zw:2:0 on true'
check "cmd 19: then it obeys" wait_log "$T" '^result 19 OK true$' 10

# 5c. a jammed radio: the stick calls SendData back with FAIL. Two FAILs
# then a send that gets out: the command is delivered, the node is not
# faulted. FAIL at every try: the command fails saying the radio is
# jammed, the user sees a stick fault (not the node's), cleared when a
# send gets through again.
nodefaults=$(count_log "$T" '^fault zwave zw:2:0 raised')
check "one soft reset at start-up, none since" \
	test "$(count_log "$Z" 'zwsim: soft reset')" -eq 1
zw jam 2
send 'cmd 20 zw:2:0 on false'
check "cmd 20: two FAILs, the third try delivers it" \
	wait_log "$T" '^result 20 OK false$' 15
check "cmd 20: sent again after a back-off" \
	wait_log "$S" 'not transmitted \(jammed\): again in 2000 ms' 5
# An outside jammer: FAIL until "jam 0".
zw jam 1000
clears=$(count_log "$T" '^fault zwave - cleared')
send 'cmd 21 zw:2:0 on true'
check "cmd 21: FAIL at every try: FAILED, the radio is jammed" \
	wait_log "$T" '^result 21 FAILED - the radio is jammed' 15
check "the user sees a stick fault" \
	wait_log "$T" '^fault zwave - raised the radio is jammed' 5
check "and the values with the fault flag" \
	wait_log "$T" '^report zw:5:0 temperature .* fault at=' 5
check "the node is not faulted" \
	test "$(count_log "$T" '^fault zwave zw:2:0 raised')" -eq "$nodefaults"
check "the jam outlasted the tries: the stick is soft-reset" \
	wait_log "$S" 'the radio stays jammed: soft-resetting the stick' 5
check "it restarts and the controller starts again" \
	wait_count "$S" 'zwave: controller ready' 3 15
check "once" test "$(count_log "$Z" 'zwsim: soft reset')" -eq 2
# The stick restarts on its own while the radio is still jammed: the
# start-up after it used to clear the fault.
zw reset
check "the stick restarts on its own, still jammed" \
	wait_count "$S" 'zwave: controller ready' 4 20
check "the start-up leaves the fault: the radio is jammed" \
	wait_log "$S" 'the stick answers again, the radio is jammed' 5
check "no fault cleared meanwhile" \
	test "$(count_log "$T" '^fault zwave - cleared')" -eq "$clears"
check "no second soft reset for the same jam" \
	test "$(count_log "$Z" 'zwsim: soft reset')" -eq 2
zw jam 0
send 'cmd 22 zw:2:0 on true'
check "cmd 22: the radio transmits again" \
	wait_log "$T" '^result 22 OK true$' 15
check "the stick fault is cleared" \
	wait_log "$T" '^fault zwave - cleared the radio transmits again' 5

# 6. restart: no second interview, values from the node table
ons=$(count_log "$T" '^report zw:2:0 on true ')
devs=$(count_log "$T" '^device zw:2:0 DEV_SWITCH on:bool:rw$')
kill -TERM "$(pid_of slave-house)"
wait_log "$S" 'slave slave-house stopped' 5
start hd-slave slave-house
check "restarted controller ready" \
	wait_count "$S" 'zwave: controller ready' 5 15
check "the switch is announced with its value at once" \
	wait_count "$T" '^device zw:2:0 DEV_SWITCH on:bool:rw$' $((devs + 1)) 10
check "nor for its manufacturer" \
	test "$(count_log "$Z" 'node 2 gets 72 04')" -eq 1
check "no node asked for its node information again" \
	test "$(count_log "$Z" 'request 0x60 node')" -eq 4
check "state is read again after the restart" \
	wait_count "$T" '^report zw:2:0 on true ' $((ons + 1)) 10
check "slave still running" kill -0 "$(pid_of slave-house)"
exec 3>&- 4>&-
finish
