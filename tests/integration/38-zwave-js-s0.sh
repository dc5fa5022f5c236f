#!/usr/bin/env bash
# S0 interoperability: the real hd-slave against the npm zwave-js mock
# server (an independent S0 implementation) with a door lock that supports
# Door Lock only securely, included by another controller with the network
# key the slave is given. The slave adopts it (Security Commands Supported
# Get under the key, answered under the key; no secure inclusion), then
# locks and unlocks it with encapsulated SETs confirmed by the lock's
# encapsulated reports; the lock's nonce requests (it waits 1 s) are
# answered in time. Skips like 31-zwave-js.sh when npm cannot install the
# package.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_tm
zjs_network=$top/tests/integration/zwave-js/network-s0.cjs
mkdir -m 700 "$work/state-slave-house"
(umask 077 && openssl rand -hex 16 >"$work/state-slave-house/zwave.key")
HD_ZJS_S0_KEY=$(cat "$work/state-slave-house/zwave.key")
export HD_ZJS_S0_KEY
. "$top/tests/integration/zwave-js/mock.sh"
zw_start

# 1. adoption of a lock zwave-js's network already secured
check "the lock is interviewed" \
	wait_log "$S" 'zwave: node 2: [0-9]+ command classes' 20
check "it is asked its secure classes under our key" \
	wait_log "$S" 'zwave: node 2: lists S0, no key on record' 10
check "zwave-js's node answers under our key: adopted" \
	wait_log "$S" 'zwave: node 2: adopted: it answers under our network key' 20
check "no secure inclusion ran" \
	test "$(count_log "$S" 'secure inclusion')" -eq 0
check "and lists Door Lock among its secure classes" \
	wait_log "$S" 'zwave: node 2: S0 key granted, [0-9]+ secure command classes:.* 62' 20
check "the lock is announced with a writable locked value" \
	wait_log "$T" '^device zw:2:0 DEV_LOCK .*locked:bool:rw' 10
check "its state is read over S0" \
	wait_log "$T" '^report zw:2:0 locked (true|false) ' 20
check "the lock sent no Door Lock report in clear" \
	test "$(count_log "$S" 'clear-text command 0x62')" -eq 0

# 2. lock and unlock
send 'cmd 41 zw:2:0 locked true'
check "cmd 41: lock confirmed by zwave-js's encapsulated report" \
	wait_log "$T" '^result 41 OK true$' 20
send 'cmd 42 zw:2:0 locked false'
check "cmd 42: unlock confirmed" wait_log "$T" '^result 42 OK false$' 20
check "no S0 frame was refused either way" \
	test "$(count_log "$S" 'S0 frame refused|no S0 nonce|nonce get not delivered')" -eq 0
check "no retransmission was needed" \
	test "$(count_log "$S" 'not acknowledged|stopped answering')" -eq 0
check "mock server still running" kill -0 "${pids[0]}"
echo "# TCP reads the mock had to split: $(count_log "$J" 'Serial API messages: split')"
exec 4>&-
finish
