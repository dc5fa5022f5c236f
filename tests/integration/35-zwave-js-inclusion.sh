#!/usr/bin/env bash
# Inclusion against the npm zwave-js mock server (an independent
# implementation of the controller): its MockController adds the node
# pending inclusion (network-inclusion.cjs) when AddNodeToNetwork is
# turned on, through LEARN_READY, NODE_FOUND, ADDING_SLAVE and
# PROTOCOL_DONE, and answers our STOP with DONE. The new node is then
# interviewed by the slave and announced to the master, as seen through
# the API. The mock's exclusion only ever reaches LEARN_READY (it never
# removes a node), so exclusion is tested here as ready, then cancelled.
# Skips like 31-zwave-js.sh when npm cannot install the package.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_web
zjs_network=$top/tests/integration/zwave-js/network-inclusion.cjs
. "$top/tests/integration/zwave-js/mock.sh"
zw_start
check "the three nodes interviewed" \
	wait_count "$S" 'zwave: node [2-4]: interview complete' 3 30
# The state poll that follows the interviews is answered first: the mock
# takes each TCP read as one message, and with polls, their reports and
# the inclusion callbacks crossing, a busy mock sometimes reads two of our
# writes at once (an ACK and a frame 10 ms apart) and exits. Before our
# ACKs kept their gap after our own frames too, it also waited in vain
# for an ACK glued behind one of our frames.
check "the state poll is answered" \
	wait_log "$S" 'zwave: node 3: new value temperature' 15

zw_api
# polled: every value of nodes 2 to 4 has a reading at the master, so the
# poll's last answer (node 4's, polled in node order) is in; wait_polled
# SECONDS until it is.
polled() {
	test "$(get devices | json 'all(v["time_ms"] > 0 for d in j["devices"]
	    if d["id"] in ("zw:2:0", "zw:3:0", "zw:4:0") for v in d["values"])
	    and len([d for d in j["devices"] if d["id"] in ("zw:2:0",
	    "zw:3:0", "zw:4:0")]) == 3')" = True
}
wait_polled() {
	local i=0
	while [ "$i" -lt $(($1 * 10)) ]; do
		polled && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
check "every value of nodes 2 to 4 is read: the poll is over" wait_polled 15
incl() { post zwave/slave-house/inclusion "$1" "${auth[@]}"; }

# 1. inclusion
out=$(incl '{"action":"include","timeout":60}')
check "include: 202" grep -q '^202' <<<"$out"
check "the mock is ready" wait_log "$M" 'zwave include: ready' 10
check "it finds node 5" wait_log "$M" 'zwave include: node_found' 10
check "adding node 5" wait_log "$M" 'zwave include: adding, node 5' 10
check "protocol done" wait_log "$M" 'zwave include: protocol_done' 10
check "our STOP gets DONE for node 5" \
	wait_log "$M" 'zwave include: done, node 5' 10
check "node 5 is interviewed" \
	wait_log "$S" 'zwave: node 5: [0-9]+ command classes' 20
check "the master hears it" wait_log "$M" 'zwave include: interviewed, node 5' 10
n=$(get zwave/slave-house/nodes)
check "node 5 is a switch with Binary Switch and Version" \
	test "$(json '[(x["device"], x["interviewed"], 37 in x["command_classes"], 134 in x["command_classes"]) for x in j["nodes"] if x["node"] == 5]' <<<"$n")" = \
	"[('zw:5:0', True, True, True)]"

# 2. exclusion: ready, then cancelled
out=$(incl '{"action":"exclude"}')
check "exclude: 202" grep -q '^202' <<<"$out"
check "the mock is ready to remove" wait_log "$M" 'zwave exclude: ready' 10
incl '{"action":"stop"}' >/dev/null
check "cancelled" wait_log "$M" 'zwave exclude: cancelled' 10

# 2b. a controller (NVM) backup: the mock lists neither 0x2E nor 0x3D
# among its supported functions (and answers neither), so the slave
# refuses it from the capabilities zwave-js's mock reports
out=$(post zwave/slave-house/nvm '{"action":"backup"}' "${auth[@]}")
check "a controller backup: 202" grep -q '^202' <<<"$out"
nvm_st() { get zwave/slave-house/nvm | json '(j["state"], j["reason"])'; }
i=0
while [ "$i" -lt 100 ] && [ "$(nvm_st)" = "('requested', '')" ]; do
	sleep 0.1
	i=$((i + 1))
done
check "refused from the mock's supported functions, in words" \
	test "$(nvm_st)" = "('refused', 'this stick offers no NVM backup (neither function 0x3D nor 0x2E among its supported functions)')"

# 3. the node works after all that
check "no retransmission was needed" \
	test "$(count_log "$S" 'not acknowledged|stopped answering')" -eq 0
check "mock server still running" kill -0 "${pids[0]}"
finish
