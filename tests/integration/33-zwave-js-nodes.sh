#!/usr/bin/env bash
# Interoperability of the node layer: the real hd-slave against the npm
# zwave-js mock server (an independent implementation of the controller
# and its nodes), with hd-testmaster sending commands. The nodes are
# interviewed (node information frames), a multilevel sensor's report
# arrives as a value with its unit, a binary switch is switched on and off
# and a dimmer set to a level, each confirmed by the node's report. Skips
# like 31-zwave-js.sh when npm cannot install the package.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_tm
. "$top/tests/integration/zwave-js/mock.sh"
zw_start

# 1. interview
check "the three nodes interviewed" \
	wait_count "$S" 'zwave: node [2-4]: [0-9]+ command classes' 3 20
check "the switch has a writable on" \
	wait_log "$T" '^device zw:2:0 DEV_SWITCH on:bool:rw$' 5
check "the dimmer has a writable level" \
	wait_log "$T" '^device zw:4:0 DEV_DIMMER level:int:rw:0\.\.99/%$' 5
check "the sensor reports 21.5" \
	wait_log "$T" '^report zw:3:0 temperature 21\.5 ' 10
check "its temperature is announced with a unit" \
	wait_log "$T" '^device zw:3:0 DEV_SENSOR temperature:double:ro/.+C$' 5

# 2. commands
send 'cmd 21 zw:2:0 on true'
check "switch on confirmed by the node's report" \
	wait_log "$T" '^result 21 OK true$' 10
send 'cmd 22 zw:2:0 on false'
check "switch off confirmed" wait_log "$T" '^result 22 OK false$' 10
send 'cmd 23 zw:4:0 level 60'
check "dimmer level 60 confirmed" wait_log "$T" '^result 23 OK 60$' 15
check "the dimmer reports 60" grep -q '^report zw:4:0 level 60 ' "$T"
check "no retransmission was needed" \
	test "$(count_log "$S" 'not acknowledged|stopped answering')" -eq 0
check "mock server still running" kill -0 "${pids[0]}"
exec 4>&-
finish
