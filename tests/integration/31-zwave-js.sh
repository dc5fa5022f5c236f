#!/usr/bin/env bash
# Interoperability: the real hd-slave against an independent Serial API
# implementation, the npm zwave-js mock server, over tcp:// on 127.0.0.1.
# The package is installed once into a cache outside the repository
# (HD_NPM_CACHE); without npm or a registry the test prints a skip line.
. "$(dirname "$0")/lib.sh"

gen_pki
port=$(free_port)
P=$work/pki/good
M=$work/master.log
S=$work/slave-house.log
. "$top/tests/integration/zwave-js/mock.sh"
check "mDNS stubbed out (the mock's own success line is the stub's)" \
	grep -q 'homedaemon: mDNS stubbed out' "$J"

master_conf master "$port" "$P" master
slave_conf slave-house House "$port" "$P" "simulate no" \
	"zwave port tcp://127.0.0.1:$zport"
start hd-master master
wait_log "$M" "listening on 127.0.0.1:$port" 5
start hd-slave slave-house
check "slave connects to the mock over tcp://" \
	wait_log "$S" "zwave: tcp://127.0.0.1:$zport open \(tcp\)" 10
check "start-up against zwave-js completes" \
	wait_log "$S" 'zwave: controller ready, 3 devices' 15
check "home id and own node id from the mock" \
	grep -q 'home id 7e570001, controller is node 1' "$S"
check "switch node 2 registered" \
	grep -q 'node 2 registered as zw:2:0 (generic class 0x10)' "$S"
check "sensor node 3 registered" \
	grep -q 'node 3 registered as zw:3:0 (generic class 0x21)' "$S"
check "dimmer node 4 registered" \
	grep -q 'node 4 registered as zw:4:0 (generic class 0x11)' "$S"
check "the master receives the three devices" \
	wait_log "$M" 'slave slave-house announced 3 devices' 10
check "no retransmission was needed" \
	test "$(count_log "$S" 'not acknowledged|stopped answering')" -eq 0
check "mock server still running" kill -0 "${pids[0]}"
finish
