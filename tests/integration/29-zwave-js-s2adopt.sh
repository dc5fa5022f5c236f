#!/usr/bin/env bash
# S2 adoption against the npm zwave-js mock server (an independent S2):
# two S2 door locks that zwave-js's controller included already, with the
# S2 keys the slave is given in zwave-s2.key (a restored stick, a moved
# installation). Node 2 holds S2 Authenticated, node 3 S2 Access Control.
# The slave asks each for its classes under each key, the highest first;
# zwave-js's node 2 answers the Access Control question with an empty list
# (it lists its classes only under its granted class; the mock's nodes
# share the controller's keys, so it can decrypt it: a real node holding
# only Authenticated answers SOS, as test_zw_s2adopt checks) and lists
# Door Lock under Authenticated: it is granted both classes it proved to
# hold, and talked to under the higher, as it then answers. Each is adopted under its own class,
# without bootstrapping (no KEX, no key sent), learns Door Lock as secure,
# and is locked and unlocked under S2, confirmed by its reports. Skips like
# 31-zwave-js.sh when npm cannot install the package.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_tm
zjs_network=$top/tests/integration/zwave-js/network-s2adopt.cjs
mkdir -m 700 "$work/state-slave-house"
(umask 077 && for i in 1 2 3; do openssl rand -hex 16; done \
	>"$work/state-slave-house/zwave-s2.key")
HD_ZJS_S2_KEYS=$(tr -d '\n' <"$work/state-slave-house/zwave-s2.key")
export HD_ZJS_S2_KEYS
. "$top/tests/integration/zwave-js/mock.sh"
zw_start

# 1. adoption of the two locks
check "node 2 is asked its classes under our S2 keys" \
	wait_log "$S" 'zwave: node 2: lists S2, no grant on record' 30
check "node 2 has no Door Lock under Access Control (an empty list)" \
	wait_log "$S" 'zwave: node 2: an empty class list under S2 Access Control' 20
check "node 2 lists Door Lock under S2 Authenticated: adopted" \
	wait_log "$S" 'zwave: node 2: adopted: it answers under S2 Access Control, S2 Authenticated;' 20
check "node 3 is adopted under S2 Access Control" \
	wait_log "$S" 'zwave: node 3: adopted: it answers under S2 Access Control;' 30
check "both learnt Door Lock as secure" \
	wait_count "$S" 'zwave: node [23]: [0-9]+ S2 command classes:.* 62' 2 10
check "no bootstrapping ran, no key was sent" \
	test "$(count_log "$S" 'S2 bootstrapping|KEX|key exchange|secure inclusion')" -eq 0
check "the locks are announced with a writable locked value" \
	wait_count "$T" '^device zw:[23]:0 DEV_LOCK .*locked:bool:rw' 2 10
# Their state, read under S2 once adopted. Commands wait for it: a
# command crossing the state poll's report on the air desynchronises the
# SPAN (each end takes the next nonce for its own frame; zw_s2_span.c
# keeps no previous nonce, unlike zwave-js), and the resynchronisation
# loses that command.
check "both locks' state is read under S2" \
	wait_count "$T" '^report zw:[23]:0 locked ' 2 20

# 2. lock and unlock each, under its class
send 'cmd 51 zw:2:0 locked true'
check "cmd 51: node 2 locked, confirmed" wait_log "$T" '^result 51 OK true$' 20
send 'cmd 52 zw:3:0 locked true'
check "cmd 52: node 3 locked, confirmed" wait_log "$T" '^result 52 OK true$' 20
send 'cmd 53 zw:2:0 locked false'
check "cmd 53: node 2 unlocked, confirmed" wait_log "$T" '^result 53 OK false$' 20
check "no Door Lock command or report went in clear" \
	test "$(count_log "$S" 'clear-text command 0x62')" -eq 0
check "no S2 frame was refused" \
	test "$(count_log "$S" 'S2 frame refused')" -eq 0
check "mock server still running" kill -0 "${pids[0]}"
exec 4>&-
finish
