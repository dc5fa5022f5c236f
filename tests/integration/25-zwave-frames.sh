#!/usr/bin/env bash
# Z-Wave frames longer than one radio frame, against our stick simulator
# (hd-zwsim -l): S0 split (sequenced) commands and Transport Service.
#
# The S0 lock (node 6, included elsewhere with the slave's key) splits what
# it sends longer than 28 bytes, as a real lock does: its Security Commands
# Supported Report (30 classes, 34 bytes) comes in two S0 frames, the
# first asking for the nonce of the second. The slave puts them together
# and adopts the lock with its 30 secure classes. Then the lock splits
# even its 7-byte Door Lock reports (4 + 3): a lock command is confirmed
# by a report in two halves.
#
# Transport Service: node 5 sends its temperature and battery in one
# datagram in segments; once with its second segment lost on the air, so
# that the slave asks for it (Segment Request), then puts the datagram
# together, answers Segment Complete and reports the values.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_tm
K=$work/state-slave-house/zwave.key

# 1. simulator with the lock (it has the slave's key), test master, slave
zwsim -l
mkdir -m 700 "$work/state-slave-house"
(umask 077 && openssl rand -hex 16 >"$K")
zw key 6 "$(cat "$K")"
zw split 6 28
zw longclasses 6 1
check "the lock has the key and splits what is longer than 28 bytes" \
	wait_log "$Z" 'zwsim: control: longclasses 6 1' 5
zw_start

# 2. adoption with a class report in two S0 frames
check "the lock sends its class report in two halves" \
	wait_log "$Z" 'zwsim: node 6: split command: first half, 28 of 34 bytes' 25
check "the slave joins them" \
	wait_log "$S" 'zwave: node 6: S0 split command joined, 34 bytes' 15
check "the lock is adopted with its 30 secure classes" \
	wait_log "$S" 'zwave: node 6: S0 key granted, 30 secure command classes: 62 21 ' 15
check "nothing was refused on the way" \
	test "$(count_log "$S" 'S0 frame refused')" -eq 0
check "its state is read over S0: unlocked" \
	wait_log "$T" '^report zw:6:0 locked false ' 15

# 3. a lock command confirmed by a report in two halves
zw split 6 4
wait_log "$Z" 'zwsim: control: split 6 4' 5
joined=$(count_log "$S" 'S0 split command joined, 7 bytes')
send 'cmd 41 zw:6:0 locked true'
check "cmd 41: lock confirmed" wait_log "$T" '^result 41 OK true$' 15
check "cmd 41: the lock's report came in two halves, joined" \
	wait_count "$S" 'S0 split command joined, 7 bytes' $((joined + 1)) 5
check "cmd 41: reported locked" grep -q '^report zw:6:0 locked true ' "$T"

# 4. Transport Service: all segments, then one lost
check "node 5's first temperature" \
	wait_log "$T" '^report zw:5:0 temperature 21\.5 ' 20
zw ts 5 234 0
check "a datagram in segments: temperature 23.4 reported" \
	wait_log "$T" '^report zw:5:0 temperature 23\.4 ' 10
check "the node heard Segment Complete" \
	wait_log "$Z" 'zwsim: node 5: segment complete' 5
zw ts 5 -57 1
check "its second segment is lost on the air" \
	wait_log "$Z" 'zwsim: node 5: transport service segment at 6 lost' 5
check "the slave asks for it" \
	wait_log "$S" 'zwave: node 5: transport service: segment at 6 missing, asked again' 5
check "the node sends it again" \
	wait_log "$Z" 'zwsim: node 5: segment request for 6: sent again' 5
check "the datagram is put together: temperature -5.7 reported" \
	wait_log "$T" '^report zw:5:0 temperature -5\.7 ' 10
check "no transport service frame was refused" \
	test "$(count_log "$S" 'transport service segment refused|malformed transport service|Transport Service frame')" -eq 0
exec 3>&- 4>&-
finish
