#!/usr/bin/env bash
# Z-Wave inclusion and exclusion started through the API over real HTTPS
# (admin session + CSRF), against hd-zwsim: progress as it happens, the
# new node interviewed and announced to the master, exclusion removing it,
# the learn-mode timeout, cancel, and the refusals; an S0 door lock given
# the network key right after it joins, then locked and unlocked over S0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_web

# 1. simulator, master, slave
zwsim
zw_start
zw_interviewed

zw_api
incl() { post zwave/slave-house/inclusion "$1" "${auth[@]}"; }
state() { get zwave/slave-house/inclusion | json 'j["state"]'; }
wait_state() {	# wait_state STATE SECONDS
	local i=0
	while [ "$i" -lt $(($2 * 10)) ]; do
		[ "$(state)" = "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# 2. refusals
check "no session: 401" test "$(hcurl -o /dev/null -w '%{http_code}' \
	"$A/zwave/slave-house/inclusion")" = 401
out=$(post zwave/slave-house/inclusion '{"action":"include"}' -H "Cookie: $sess")
check "no CSRF token: 403" grep -q '^403' <<<"$out"
out=$(incl '{"action":"dance"}')
check "an unknown action: 400" grep -q '^400' <<<"$out"
out=$(incl '{"action":"include","timeout":241}')
check "a timeout past 240 s: 400" grep -q '^400' <<<"$out"
out=$(post zwave/nobody/inclusion '{"action":"include"}' "${auth[@]}")
check "an unknown slave: 404" grep -q '^404' <<<"$out"
check "idle at first" test "$(state)" = idle

# 3. inclusion: the node joins while learn mode is on
out=$(incl '{"action":"include","timeout":120}')
check "include: 202" grep -q '^202' <<<"$out"
check "the stick is asked to add any node (0xc1)" \
	wait_log "$Z" 'zwsim: add mode 0xc1 callback [1-9]' 5
check "progress: ready" wait_state ready 10
left=$(get zwave/slave-house/inclusion | json 'j["time_left_ms"]')
check "time left counts down from 120 s ($left ms)" \
	test "$left" -gt 100000 -a "$left" -le 120000
out=$(incl '{"action":"exclude"}')
check "exclude while including: 409" grep -q '^409' <<<"$out"
zw join 6 10 25 20 86 72
check "node found" wait_log "$M" 'zwave include: node_found' 10
check "adding node 6" wait_log "$M" 'zwave include: adding, node 6' 10
check "protocol done, then STOP with a callback" \
	wait_log "$Z" 'zwsim: add mode 0x05 callback [1-9]' 10
check "done: node 6 added" wait_log "$M" 'zwave include: done, node 6' 10
check "its protocol info is asked" \
	wait_log "$Z" 'request 0x41 node 6' 5
check "it is interviewed" wait_log "$S" 'zwave: node 6: 4 command classes' 15
check "the master hears the interview is complete" \
	wait_log "$M" 'zwave include: interviewed, node 6' 10
j=$(get zwave/slave-house/inclusion)
check "inclusion state: interviewed, not active, nodes [6]" \
	test "$(json '(j["state"], j["active"], j["nodes"])' <<<"$j")" = "('interviewed', False, [6])"
check "the progress list tells each step" test \
	"$(json '",".join(p["state"] for p in j["progress"])' <<<"$j")" = \
	"requested,ready,node_found,adding,protocol_done,done,interviewed"
n=$(get zwave/slave-house/nodes)
check "node 6 is in the node list, interviewed, its classes known" \
	test "$(json '[(x["device"], x["interviewed"], x["command_classes"], x["failed"], x["security"]) for x in j["nodes"] if x["node"] == 6]' <<<"$n")" = \
	"[('zw:6:0', True, [37, 32, 134, 114], False, 'none')]"
check "the list has the five nodes" \
	test "$(json '[x["node"] for x in j["nodes"]]' <<<"$n")" = "[2, 3, 4, 5, 6]"
check "its switch value is announced" \
	wait_log "$S" 'zwave: node 6 registered as zw:6:0' 1

# 4. exclusion
out=$(incl '{"action":"exclude"}')
check "exclude: 202" grep -q '^202' <<<"$out"
check "the stick is asked to remove any node" \
	wait_log "$Z" 'zwsim: remove mode 0xc1' 5
check "exclusion ready" wait_state ready 10
zw leave 6
check "its removal step is labelled removing, not adding" \
	wait_log "$M" 'zwave exclude: removing, node 6' 10
check "done: node 6 removed" wait_log "$M" 'zwave exclude: done, node 6' 10
check "learn mode ended without a callback" \
	wait_log "$Z" 'zwsim: remove mode 0x05 callback 0' 5
n=$(get zwave/slave-house/nodes)
check "node 6 is gone from the master's list" \
	test "$(json '[x["node"] for x in j["nodes"]]' <<<"$n")" = "[2, 3, 4, 5]"

# 5. the timeout (2 s here; 240 s by default)
incl '{"action":"include","timeout":2}' >/dev/null
check "learn mode times out" wait_log "$M" 'zwave include: timeout: no node within 2 s' 10
# The master hears of the timeout as the slave tells the stick: the
# simulator's log of it may come later.
check "the stick is told to stop" \
	wait_log "$Z" 'zwsim: add mode 0x05 callback 0' 5
check "idle again: timeout" test "$(state)" = timeout

# 6. cancel
incl '{"action":"include"}' >/dev/null
check "ready again" wait_state ready 10
check "240 s by default" \
	test "$(get zwave/slave-house/inclusion | json 'j["time_left_ms"] > 230000')" = True
out=$(incl '{"action":"stop"}')
check "stop: 202" grep -q '^202' <<<"$out"
check "cancelled" wait_state cancelled 10
check "the stick is told to stop again" \
	wait_count "$Z" 'zwsim: add mode 0x05 callback 0' 2 5
zw join 7 10 25
# The simulator logs a control line once it has acted on it: node 7 waits
# (the stick's add mode is off), so nothing about it can reach the master.
check "the simulator took the late join" \
	wait_log "$Z" 'zwsim: control: join 7 ' 5
check "a node pressed after the cancel is not added" \
	test "$(count_log "$M" 'node 7')" -eq 0
out=$(incl '{"action":"stop"}')
check "stop when idle: 202, nothing under way" grep -q '^202' <<<"$out"
check "the slave says so" wait_log "$S" 'IDLE: nothing under way' 5

# 7. a restart keeps node 6 out and node 7 waiting
kill -TERM "$(pid_of slave-house)"
wait_log "$S" 'slave slave-house stopped' 5
start hd-slave slave-house
check "restarted controller ready" \
	wait_count "$S" 'zwave: controller ready' 2 15
check "node 6 is not registered again" \
	test "$(count_log "$S" 'node 6 registered')" -eq 1
check "slave still running" kill -0 "$(pid_of slave-house)"

# 8. an S0 door lock (hd-zwsim's node 6 lock, zwsim_s0.c), here a sleeping
# one (Wake Up), included through the API: given the network key right
# after it joins, before its interview, then locked and unlocked over S0
# from the API, each command held until its Wake Up Notification
wait_value() {	# wait_value DEVICE PATTERN SECONDS: GET the device until it matches
	local i=0
	while [ "$i" -lt $(($3 * 10)) ]; do
		get "devices/slave-house/$1" | grep -Eq "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
zw join 6 40 98 72 86 84
zw sleepy 6
out=$(incl '{"action":"include","timeout":60}')
check "include the lock: 202" grep -q '^202' <<<"$out"
check "done: the lock added as node 6" \
	wait_count "$M" 'zwave include: done, node 6' 2 20
check "its secure inclusion starts" \
	wait_log "$S" 'zwave: node 6: secure inclusion \(S0\)' 10
check "the lock takes the network key" \
	wait_log "$Z" 'node 6: network key received' 15
check "the slave verifies it" \
	wait_log "$S" 'zwave: node 6: network key verified' 15
check "granted S0 with Door Lock secure" \
	wait_log "$S" 'zwave: node 6: S0 key granted, 1 secure command classes: 62' 15
check "the master hears the lock's interview is complete" \
	wait_count "$M" 'zwave include: interviewed, node 6' 2 20
first() { grep -nE "$1" "$S" | tail -1 | cut -d: -f1; }
check "the bootstrap began as the lock was registered, before its interview" \
	test "$(first 'node 6: secure inclusion')" -eq \
	$(($(first 'node 6 registered as zw:6:0 \(generic class 0x40\)') + 1)) -a \
	"$(first 'node 6: secure inclusion')" -lt "$(first 'zwave: node 6: interview$')"
n=$(get zwave/slave-house/nodes)
check "the node list shows the lock with S0" \
	test "$(json '[(x["security"], x["command_classes"]) for x in j["nodes"] if x["node"] == 6]' <<<"$n")" = \
	"[('s0', [152, 114, 134, 132])]"
check "its locked value is read over S0: unlocked" \
	wait_value zw:6:0 '"key":"locked","type":"bool","unit":"","writable":true,[^}]*"value":false' 20
check "interviewed, then told to sleep" \
	wait_count "$Z" 'zwsim: node 6 back to sleep' 1 15
setlock() {	# setlock true|false: the command's id
	post devices/slave-house/zw:6:0/values/locked "{\"value\":$1}" \
		"${auth[@]}" | tail -1 | grep -Eo '"id":[0-9]+' | cut -d: -f2
}
# wake_run SLEEPS WORD HELD: the lock asleep, its command held; at its wake-up the
# nonce round trip, the encapsulated SET, the confirmation, then sleep
wake_run() {
	local g=$(count_log "$Z" 'node 6 gets 98 40')
	# Once the slave says it holds the request, it sends nothing for it
	# before the wake-up: the counts below are final, not a guess.
	check "$what: the slave holds it" \
		wait_count "$S" 'zwave: node 6: asleep, request held' "$3" 5
	check "$what: held while the lock sleeps (no Nonce Get, no result)" \
		test "$(count_log "$Z" 'node 6 gets 98 40')" -eq "$g" -a \
		"$(count_log "$M" "command $id (OK|FAILED|DEVICE_FAULT|BUSY)")" -eq 0
	zw wake 6
	check "$what: confirmed after the wake-up" \
		wait_log "$M" "command $id OK" 20
	check "$what: then No More Information" \
		wait_count "$Z" 'zwsim: node 6 back to sleep' "$1" 10
	check "$what: Nonce Get, S0 SET, Door Lock, sleep, in that order" \
		python3 - "$Z" "$2" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
seq = [l for l in lines if "node 6" in l]
txt = "\n".join(seq)
last = txt.rfind("node 6 gets 98 40\n", 0, txt.rfind("door lock " + sys.argv[2]))
tail = txt[last:]
order = ["node 6 gets 98 40", "node 6 gets 98 81", "door lock " + sys.argv[2],
    "node 6 back to sleep"]
pos = [tail.find(o) for o in order]
sys.exit(0 if -1 not in pos and pos == sorted(pos) else 1)
PY
}
id=$(setlock true)
what="lock"
check "lock through the API: a command id ($id)" test -n "$id"
wake_run 2 secured 1
check "the API shows it locked" \
	wait_value zw:6:0 '"key":"locked",[^}]*"value":true' 10
id=$(setlock false)
what="unlock"
check "unlock through the API: a command id ($id)" test -n "$id"
wake_run 3 unsecured 2
check "no Door Lock command went in clear" \
	test "$(count_log "$Z" 'clear-text door lock command')" -eq 0
check "no S0 frame refused on either side" \
	test "$(count_log "$S" 'S0 frame refused')" -eq 0 -a \
	"$(count_log "$Z" 'refused|dropped')" -eq 0
exec 3>&-
finish
