#!/usr/bin/env bash
# Z-Wave node maintenance through the API over real HTTPS (admin session
# and CSRF token), against hd-zwsim -7 (a 700-series stick: its SendData
# callbacks carry a transmit report): ping a node (round trip, route,
# RSSI), a deaf node's ping failing and the node marked failed, a node
# that answers not removed, a failed node replaced by a new device (its
# id kept, registered and interviewed), a failed node removed, a
# replacement stopped, and the refusals.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_web

zwsim -7
zw_start
zw_interviewed
check "no SUC in the network: the controller made itself SUC and SIS" \
	wait_log "$S" 'zwave: no SUC/SIS in the network: this controller is its SIS now' 10
check "... once (SetSUCNodeID with its own id)" \
	test "$(count_log "$Z" 'zwsim: SUC/SIS set to node 1$')" -eq 1
zw_api
failed_of() {	# failed_of NODE: its failed flag in the node list
	get zwave/slave-house/nodes |
		json "[x['failed'] for x in j['nodes'] if x['node'] == $1]"
}

# 1. refusals
check "no session: 401" test "$(hcurl -o /dev/null -w '%{http_code}' \
	"$A/zwave/slave-house/maintenance")" = 401
out=$(post zwave/slave-house/maintenance '{"op":"ping","node":2}' \
	-H "Cookie: $sess")
check "no CSRF token: 403" grep -q '^403' <<<"$out"
check "an unknown op: 400" grep -q '^400' <<<"$(maint '{"op":"heal2","node":2}')"
check "ping without a node: 400" grep -q '^400' <<<"$(maint '{"op":"ping"}')"
check "node 233: 400" grep -q '^400' <<<"$(maint '{"op":"ping","node":233}')"
out=$(post zwave/nobody/maintenance '{"op":"ping","node":2}' "${auth[@]}")
check "an unknown slave: 404" grep -q '^404' <<<"$out"
check "a node not on the stick: 202, then refused" \
	grep -q '^202' <<<"$(maint '{"op":"ping","node":99}')"
check "... refused by the slave" wait_last refused 10
check "... saying why" test "$(last 'j["last"]["reason"]')" = \
	"no such node on this stick"

# 2. ping: acknowledged, with the stick's transmit report
out=$(maint '{"op":"ping","node":2}')
check "ping node 2: 202" grep -q '^202' <<<"$out"
check "the NOP goes to node 2" wait_log "$Z" 'zwsim: node 2 gets 00 ' 10
check "ping done" wait_last done 10
check "acknowledged, the round trip and the route given" \
	test "$(last '(j["last"]["tx_status"], j["last"]["route_ms"],
	    j["last"]["repeaters"], j["last"]["rssi_dbm"],
	    j["last"]["rtt_ms"] < 10000, j["active"])')" = \
	"(0, 30, 0, -60, True, False)"
check "the step list: requested, started, done" \
	test "$(last '",".join(s["state"] for s in j["steps"][-3:])')" = \
	"requested,started,done"

# 3. a deaf node's ping fails; the node is marked failed
zw deaf 2
check "the simulator took it" wait_log "$Z" 'zwsim: control: deaf 2' 5
maint '{"op":"ping","node":2}' >/dev/null
check "ping of the deaf node fails" wait_last failed 10
check "... not acknowledged" test "$(last 'j["last"]["reason"]')" = \
	"no acknowledgement"
check "the node list says node 2 failed" test "$(failed_of 2)" = "[True]"

# 4. a node that answers is not removed
maint '{"op":"remove_failed","node":4}' >/dev/null
check "remove node 4: the stick is asked whether it is failed" \
	wait_log "$Z" 'zwsim: request 0x62 node 4' 10
check "not in its list, and it answers: refused" wait_last refused 10
check "... saying why" test "$(last 'j["last"]["reason"]')" = \
	"the node answers: it is not failed, not removed"
check "no RemoveFailedNode went to the stick" \
	test "$(count_log "$Z" 'request 0x61')" -eq 0
check "node 4 is still listed" test "$(failed_of 4)" = "[False]"

# 5. the failed node 2 replaced by a new device
out=$(maint '{"op":"replace_failed","node":2}')
check "replace node 2: 202" grep -q '^202' <<<"$out"
check "ready: the slave waits for the new device" wait_last ready 10
check "... saying what to do" test "$(last 'j["last"]["reason"]')" = \
	"press the new device's button"
out=$(maint '{"op":"ping","node":4}')
check "another operation meanwhile: 409" grep -q '^409' <<<"$out"
zw join 9 11 26 86 72
check "the new device takes id 2" wait_log "$Z" 'zwsim: node 2 replaced' 10
check "replaced: done" wait_last done 15
check "... as zw:2:0" test "$(last 'j["last"]["reason"]')" = \
	"a new device is zw:2:0"
check "the new device is interviewed (a dimmer now)" \
	wait_log "$S" 'zwave: node 2 registered as zw:2:0 \(generic class 0x11\)' 10
check "its classes are its own" \
	wait_log "$S" 'zwave: node 2: 3 command classes' 15
n=$(get zwave/slave-house/nodes)
check "the node list: node 2 a dimmer, not failed, the new classes" \
	test "$(json '[(x["kind"], x["failed"], x["command_classes"]) for x in j["nodes"] if x["node"] == 2]' <<<"$n")" = \
	"[('dimmer', False, [38, 134, 114])]"

# 6. a failed node removed
zw deaf 3
check "the simulator took it" wait_log "$Z" 'zwsim: control: deaf 3' 5
maint '{"op":"ping","node":3}' >/dev/null
check "node 3 does not answer" wait_last failed 10
maint '{"op":"remove_failed","node":3}' >/dev/null
check "in the stick's failed list: RemoveFailedNode" \
	wait_log "$Z" 'zwsim: request 0x61 node 3' 10
check "removed: done" wait_last done 10
check "... zw:3:0" test "$(last 'j["last"]["reason"]')" = "zw:3:0 removed"
check "the stick removed it" grep -q 'zwsim: failed node 3 removed' "$Z"
check "node 3 is gone from the master's list" test "$(get zwave/slave-house/nodes |
	json '[x["node"] for x in j["nodes"]]')" = "[2, 4, 5]"
check "its device is gone" test "$(hcurl -o /dev/null -w '%{http_code}' \
	-H "Cookie: $sess" "$A/devices/slave-house/zw:3:0")" = 404

# 7. stop: nothing under way, then a replacement waiting
check "stop while idle: 202" grep -q '^202' <<<"$(maint '{"op":"stop"}')"
check "the slave says nothing to stop" \
	wait_log "$S" 'zwave: stop, node 0: DONE: nothing to stop' 5
zw deaf 5
check "the simulator took it" wait_log "$Z" 'zwsim: control: deaf 5' 5
maint '{"op":"ping","node":5}' >/dev/null
check "node 5 does not answer" wait_last failed 10
maint '{"op":"replace_failed","node":5}' >/dev/null
check "its replacement waits" wait_last ready 10
maint '{"op":"stop"}' >/dev/null
check "stopped on request" wait_last failed 10
check "... saying so" test "$(last 'j["last"]["reason"]')" = \
	"stopped on request"
check "the stick's replace mode ended" \
	wait_log "$Z" 'zwsim: replacement of node 5 stopped' 5
check "node 5 is still there, failed" test "$(failed_of 5)" = "[True]"

# 8. heal: each node's neighbours, then its return route to us, paced;
# the deaf node 5 fails its update
out=$(maint '{"op":"heal"}')
check "heal: 202" grep -q '^202' <<<"$out"
check "heal done" wait_last done 30
check "... 2 of the 3 nodes" test "$(last 'j["last"]["reason"]')" = \
	"2 of 3 nodes healed"
check "the steps: started, a progress step per node (1, 2, 3 of 3), done" \
	test "$(last '",".join("%s:%s/%s" % (s["state"], s.get("done"),
	    s.get("total")) for s in j["steps"][-5:])')" = \
	"started:0/3,progress:1/3,progress:2/3,progress:3/3,done:3/3"
check "node by node: 2, 4, 5, each neighbour update then its route" \
	test "$(grep -E 'neighbours|return route to' "$Z" | tail -5 |
	    sed 's/zwsim: //' | tr '\n' ',')" = \
	"node 2: neighbours updated,node 2: return route to the SUC,node 4: neighbours updated,node 4: return route to the SUC,node 5: neighbours not updated,"
check "the deaf node's step says so" \
	test "$(last '[s["reason"] for s in j["steps"] if s["node"] == 5 and s["state"] == "progress"][-1]')" = \
	"the neighbour update failed"
maint '{"op":"heal","node":4}' >/dev/null
check "heal one node" wait_last done 15
check "... 1 of 1" test "$(last 'j["last"]["reason"]')" = \
	"1 of 1 nodes healed"
# a heal stopped: the stick holds node 4's update until the slave has
# the stop, so it ends after node 4 (2 of the 3 nodes) whatever the speed
zw routehold 4
maint '{"op":"heal"}' >/dev/null
check "another heal: node 4's update held" \
	wait_log "$Z" 'zwsim: node 4: neighbour update held' 15
maint '{"op":"stop"}' >/dev/null
check "the slave is told to stop" \
	wait_log "$S" 'zwave: stop of node 0 requested by admin' 10
zw routego
check "the heal ends failed" wait_last failed 15
check "... after 2 of the 3 nodes, both healed" \
	test "$(last 'j["last"]["reason"]')" = \
	"stopped on request after 2 of 3 nodes: 2 healed"
check "the replaced node was given its return route when it joined" \
	test "$(count_log "$S" 'zwave: node 2: return route to us assigned')" -ge 1

# 9. a restart: the SUC is this controller already, nothing is set again
kill -TERM "$(pid_of slave-house)"
wait_log "$S" 'slave slave-house stopped' 5
start hd-slave slave-house
check "restarted controller ready" \
	wait_count "$S" 'zwave: controller ready' 2 15
check "the SUC is found to be this controller" \
	wait_log "$S" 'zwave: the SUC is this controller \(node 1\)' 10
check "SetSUCNodeID not sent again" \
	test "$(count_log "$Z" 'zwsim: SUC/SIS set to node')" -eq 1
check "slave still running" kill -0 "$(pid_of slave-house)"
exec 3>&-
finish
