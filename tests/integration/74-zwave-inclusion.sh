#!/usr/bin/env bash
# Z-Wave inclusion and exclusion started through the API over real HTTPS
# (admin session + CSRF), against hd-zwsim: progress as it happens, the
# new node interviewed and announced to the master, exclusion removing it,
# the learn-mode timeout, cancel, and the refusals.
. "$(dirname "$0")/lib.sh"

web_master
S=$work/slave-house.log
Z=$work/zwsim.log
trap '' PIPE
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")

# 1. simulator, master, slave
mkfifo "$work/zwctl"
"$bin/hd-zwsim" -p "$work/pty" <"$work/zwctl" >>"$Z" 2>&1 &
pids+=($!)
disown $!
exec 3>"$work/zwctl"
zw() { echo "$*" >&3; }
check "simulator presents a pty" wait_log "$Z" 'zwsim: ready' 5
start hd-master master
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10
slave_conf slave-house House "$port" "$G" "simulate no" \
	"zwave port $(cat "$work/pty")"
start hd-slave slave-house
check "slave online" wait_log "$M" 'slave slave-house .*online' 15
check "the four simulated nodes are interviewed" \
	wait_count "$S" 'zwave: node [2-5]: [0-9]+ command classes' 4 30

A=$U/api/v1
hcurl() { curl -s --cacert "$G/ca.crt" --max-time 10 "$@"; }
post() {	# post PATH BODY [curl args]: the status, then the body
	local p=$1 b=$2; shift 2
	hcurl -o "$work/body" -w '%{http_code}\n' -H 'Content-Type: application/json' \
		--data-binary "$b" "$@" "$A/$p"
	cat "$work/body"
}
post login "{\"name\":\"admin\",\"password\":\"$pw\"}" -D "$work/head" >"$work/login"
sess=$(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')
csrf=$(grep -Eo '"csrf":"[0-9a-f]{64}"' "$work/login" | cut -d'"' -f4)
check "admin logged in" test -n "$sess" -a -n "$csrf"
auth=(-H "Cookie: $sess" -H "X-CSRF-Token: $csrf")
incl() { post zwave/slave-house/inclusion "$1" "${auth[@]}"; }
get() { hcurl -H "Cookie: $sess" "$A/$1"; }
# json EXPR: evaluate a Python expression on the JSON read from stdin (j)
json() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
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
check "inclusion state: done, not active, nodes [6]" \
	test "$(json '(j["state"], j["active"], j["nodes"])' <<<"$j")" = "('interviewed', False, [6])" -o \
	"$(json '(j["state"], j["active"], j["nodes"])' <<<"$j")" = "('done', False, [6])"
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
check "done: node 6 removed" wait_log "$M" 'zwave exclude: done, node 6' 10
check "learn mode ended without a callback" \
	wait_log "$Z" 'zwsim: remove mode 0x05 callback 0' 5
n=$(get zwave/slave-house/nodes)
check "node 6 is gone from the master's list" \
	test "$(json '[x["node"] for x in j["nodes"]]' <<<"$n")" = "[2, 3, 4, 5]"

# 5. the timeout (2 s here; 240 s by default)
incl '{"action":"include","timeout":2}' >/dev/null
check "learn mode times out" wait_log "$M" 'zwave include: timeout: no node within 2 s' 10
check "the stick is told to stop" \
	test "$(count_log "$Z" 'zwsim: add mode 0x05 callback 0')" -ge 1
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
sleep 1
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
exec 3>&-
finish
