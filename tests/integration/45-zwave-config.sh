#!/usr/bin/env bash
# Z-Wave configuration parameters through the API over real HTTPS,
# against hd-zwsim nodes with Configuration (parameter 1 "LED
# brightness", 1 byte, 0..99, default 50; 2 "Report interval", 2 bytes,
# 30..3600): a version 4 node's parameter read with its range, default
# and name, set and confirmed, a value out of its range refused before
# anything is sent; a version 1 node (no Properties: its size learnt from
# a Get) set, and a value its size cannot hold refused; the refusals; a
# sleeping node's ping and parameter set queued (nothing sent while it
# sleeps), both run at its wake-up before it is sent back to sleep.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_web

zwsim
zw_start
zw_interviewed
zw_api
# include N [GENERIC CLASSES...]: through the API, interviewed. Without
# classes, node N waits to join already (with what `zw` set for it).
include() {
	local id=$1
	shift
	[ $# -eq 0 ] || zw join "$id" "$@"
	wait_log "$Z" "zwsim: control: join $id " 5 &&
		post zwave/slave-house/inclusion \
		'{"action":"include","timeout":30}' "${auth[@]}" >/dev/null &&
		wait_log "$M" "zwave include: interviewed, node $id" 20
}

# 1. a version 4 node
check "node 7 (Configuration v4) included and interviewed" \
	include 7 10 25 70 86 72
maint '{"op":"config_get","node":7,"param":1}' >/dev/null
check "parameter 1 read" wait_last done 10
check "... its value, size, range, default and name" \
	test "$(last '(j["last"]["param"], j["last"]["value"], j["last"]["size"],
	    j["last"]["min"], j["last"]["max"], j["last"]["default"],
	    j["last"]["name"])')" = "(1, 50, 1, 0, 99, 50, 'LED brightness')"
check "Properties, Name, then Get went to the node" \
	test "$(grep -oE 'node 7 gets 70 0[ea5]' "$Z" | tail -3 | tr '\n' ,)" = \
	"node 7 gets 70 0e,node 7 gets 70 0a,node 7 gets 70 05,"
maint '{"op":"config_set","node":7,"param":2,"value":900}' >/dev/null
check "parameter 2 set" wait_last done 10
check "... confirmed by the node's report" \
	test "$(last '(j["last"]["reason"], j["last"]["value"])')" = \
	"('set to 900', 900)"
check "the node took 900" grep -q 'zwsim: node 7: parameter 2 set to 900$' "$Z"
n=$(count_log "$Z" 'node 7 gets 70 04')
maint '{"op":"config_set","node":7,"param":1,"value":150}' >/dev/null
check "150 for parameter 1 refused" wait_last refused 10
check "... out of its range" test "$(last 'j["last"]["reason"]')" = \
	"150 is out of the parameter's range 0..99"
check "... and no Set went to the node" \
	test "$(count_log "$Z" 'node 7 gets 70 04')" -eq "$n"
maint '{"op":"config_get","node":7,"param":9}' >/dev/null
check "a parameter the node has not: refused" wait_last refused 10
check "... saying so" test "$(last 'j["last"]["reason"]')" = \
	"the node has no such parameter"

# 2. a version 1 node: no Properties, the size from its Get
zw join 8 10 25 70 86 72
zw cfgv 8 1
check "node 8 waits to join, its Configuration version 1" \
	wait_log "$Z" 'zwsim: control: cfgv 8 1' 5
check "node 8 included and interviewed" include 8
maint '{"op":"config_set","node":8,"param":1,"value":150}' >/dev/null
check "150 does not fit its 1-byte parameter: refused" wait_last refused 10
check "... saying so" test "$(last 'j["last"]["reason"]')" = \
	"150 does not fit the parameter's 1 bytes"
maint '{"op":"config_set","node":8,"param":1,"value":70}' >/dev/null
check "70 set on the version 1 node" wait_last done 10
check "... confirmed" test "$(last 'j["last"]["reason"]')" = "set to 70"
check "no Properties or Name Get went to it" \
	test "$(count_log "$Z" 'node 8 gets 70 0[ea]')" -eq 0

# 3. refusals
maint '{"op":"config_get","node":2,"param":1}' >/dev/null
check "a node without Configuration: refused" wait_last refused 10
check "... saying so" test "$(last 'j["last"]["reason"]')" = \
	"the node has no Configuration class"
check "config_get without param: 400" \
	grep -q '^400' <<<"$(maint '{"op":"config_get","node":7}')"
check "config_set without value: 400" \
	grep -q '^400' <<<"$(maint '{"op":"config_set","node":7,"param":1}')"
check "param 256: 400" \
	grep -q '^400' <<<"$(maint '{"op":"config_get","node":7,"param":256}')"

# 4. a sleeping node: its ping and a parameter wait for its wake-up
zw join 13 10 25 70 84 86 72
zw sleepy 13
check "node 13 (sleeping, Configuration) waits to join" \
	wait_log "$Z" 'zwsim: control: sleepy 13' 5
check "node 13 included and interviewed" include 13
check "... then sent to sleep" wait_log "$Z" 'zwsim: node 13 back to sleep' 20
# steps: node 13's steps as (op, state), and the ping's reason when done
steps() { get zwave/slave-house/maintenance | json "[(s['op'], s['state']) for s in j['steps'] if s['node'] == 13 and s['state'] != 'requested']"; }
ping_reason() { get zwave/slave-house/maintenance | json "[s['reason'] for s in j['steps'] if s['node'] == 13 and s['op'] == 'ping' and s['state'] == 'done'][0]"; }
wait_steps() {	# wait_steps STEPS SECONDS
	local i=0
	while [ "$i" -lt $(($2 * 10)) ]; do
		[ "$(steps)" = "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# steps: $(steps)" >&2
	return 1
}
nop=$(count_log "$Z" 'node 13 gets 00 ')
maint '{"op":"ping","node":13}' >/dev/null
check "a ping to the sleeping node: queued" wait_last queued 10
check "... saying why" test "$(last 'j["last"]["reason"]')" = \
	"the node sleeps: run at its next wake-up"
maint '{"op":"config_set","node":13,"param":1,"value":70}' >/dev/null
check "a parameter set while it sleeps: queued too" \
	wait_steps "[('ping', 'queued'), ('config_set', 'queued')]" 10
maint '{"op":"ping","node":2}' >/dev/null
check "meanwhile the stick takes other operations (node 2 pinged)" \
	wait_last done 10
check "nothing sent to the sleeping node" \
	test "$(count_log "$Z" 'node 13 gets (00|70) ')" -eq "$nop"
zw wake 13
check "at its wake-up the ping, then the parameter: queued, queued, started, done, started, done" \
	wait_steps "[('ping', 'queued'), ('config_set', 'queued'), ('ping', 'started'), ('ping', 'done'), ('config_set', 'started'), ('config_set', 'done')]" 20
check "... the ping acknowledged" grep -q '^acknowledged in [0-9]* ms$' \
	<<<"$(ping_reason)"
check "... the parameter set to 70" \
	test "$(last '(j["last"]["op"], j["last"]["reason"])')" = \
	"('config_set', 'set to 70')"
check "the node took 70" grep -q 'zwsim: node 13: parameter 1 set to 70$' "$Z"
check "then No More Information, once both are done" \
	wait_count "$Z" 'zwsim: node 13 back to sleep' 2 10
check "... after the parameter, not before" test \
	"$(grep -n 'zwsim: node 13 back to sleep' "$Z" | tail -1 | cut -d: -f1)" -gt \
	"$(grep -n 'zwsim: node 13: parameter 1 set to 70$' "$Z" | cut -d: -f1)"
check "slave still running" kill -0 "$(pid_of slave-house)"
exec 3>&-
finish
