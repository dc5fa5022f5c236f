#!/usr/bin/env bash
# Interoperability: the real hd-slave against an independent Serial API
# implementation, the npm zwave-js mock server, over tcp:// on 127.0.0.1.
# The package is installed once into a cache outside the repository
# (HD_NPM_CACHE); without npm or a registry the test prints a skip line.
. "$(dirname "$0")/lib.sh"

cache=${HD_NPM_CACHE:-/var/cache/homedaemon-npm}
mock=$cache/node_modules/.bin/mock-server
here=$top/tests/integration/zwave-js
if [ ! -x "$mock" ]; then
	if command -v npm >/dev/null && mkdir -p "$cache" 2>/dev/null &&
	    (cd "$cache" && timeout 180 npm install --no-audit --no-fund \
	    --loglevel=error zwave-js@15) >"$work/npm.log" 2>&1; then
		:
	fi
fi
if [ ! -x "$mock" ] || ! command -v node >/dev/null; then
	echo "skip - $tname: zwave-js mock server not installable (npm or registry unreachable)"
	exit 0
fi

gen_pki
port=$(free_port)
zport=$(free_port)
P=$work/pki/good
M=$work/master.log
S=$work/slave-house.log
J=$work/mock.log

node -r "$here/no-mdns.cjs" "$mock" -i 127.0.0.1 -p "$zport" \
	-c "$here/network.cjs" >>"$J" 2>&1 &
pids+=($!)
disown $!
check "mock server listens on 127.0.0.1" \
	wait_log "$J" "listening on tcp://127.0.0.1:$zport" 15
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
