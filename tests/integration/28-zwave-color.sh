#!/usr/bin/env bash
# A Z-Wave colour light through the API over real HTTPS, against hd-zwsim
# (tests/tools/zwsim_cc.c: Color Switch version 2 with warm white, red,
# green and blue, and a Multilevel Switch): included, `color` ("#rrggbb")
# and `white_warm` polled through the Supported Report, a colour set in
# one Color Set (with its duration) and confirmed by the three reports
# as one value, a white level set, a malformed colour refused, a change
# by hand reported; a second light with Supervision, whose SUCCESS
# confirms the colour without a Get.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_web

zwsim
zw_start
zw_interviewed
zw_api
# val DEVICE KEY: the value as Python prints it
val() {
	get "devices/slave-house/$1" | json "next((v['value'] for v in j['values'] if v['key'] == '$2'), 'none')"
}
wait_val() {	# wait_val DEVICE KEY VALUE SECONDS
	local i=0
	while [ "$i" -lt $(($4 * 10)) ]; do
		[ "$(val "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# $1 $2 is $(val "$1" "$2"), not $3" >&2
	return 1
}
# cmd DEVICE KEY JSON-VALUE: the command's id
cmd() {
	post "devices/slave-house/$1/values/$2" "{\"value\":$3}" "${auth[@]}" |
		grep -Eo '"id":[0-9]+' | cut -d: -f2
}
wait_cmd() {	# wait_cmd ID STATUS SECONDS
	local i=0 out
	while [ "$i" -lt $(($3 * 10)) ]; do
		out=$(get "commands/$1")
		grep -q "\"status\":\"$2\"" <<<"$out" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# command $1: $out" >&2
	return 1
}
include() {	# include N GENERIC CLASSES...
	local id=$1
	zw join "$@"
	wait_log "$Z" "zwsim: control: join $id " 5 &&
		post zwave/slave-house/inclusion \
		'{"action":"include","timeout":30}' "${auth[@]}" >/dev/null &&
		wait_log "$M" "zwave include: interviewed, node $id" 20
}

# 1. a colour light: dimmer, Color Switch version 2
check "node 11 (a colour light) included and interviewed" \
	include 11 11 26 33 86 72
check "its device is a dimmer" \
	test "$(get devices/slave-house/zw:11:0 | json 'j["kind"]')" = dimmer
check "its components asked (Supported Get), then each" \
	wait_log "$Z" 'node 11 gets 33 03' 10
check "color polled: #000000" wait_val zw:11:0 color '#000000' 10
check "white_warm polled: 0" wait_val zw:11:0 white_warm 0 10
check "color is a writable string, white_warm an int 0..255" \
	test "$(get devices/slave-house/zw:11:0 | json "sorted((v['key'], v['type'], v['writable'], v['max']) for v in j['values'] if v['key'] in ('color', 'white_warm', 'white_cold'))")" = \
	"[('color', 'string', True, 0), ('white_warm', 'int', True, 255)]"

curl -s -N --cacert "$G/ca.crt" --max-time 120 -H "Cookie: $sess" \
	"$A/stream" >"$work/stream" 2>/dev/null &
spid=$!
pids+=($spid)
check "the stream is open" wait_log "$work/stream" '^(id|event|:)' 10
n=$(count_log "$Z" 'node 11 gets 33 05')
id=$(cmd zw:11:0 color '"#FF8000"')
check "color #FF8000: ok" wait_cmd "$id" ok 15
check "... one Color Set of three components, with its duration" \
	test "$(count_log "$Z" 'node 11: colour set, 3 components, duration given')" -eq 1 -a \
	"$(count_log "$Z" 'node 11 gets 33 05')" -eq $((n + 1))
check "... confirmed as #ff8000" \
	test "$(get "commands/$id" | json 'j["value"]')" = '#ff8000'
check "color is #ff8000" wait_val zw:11:0 color '#ff8000' 5
check "the stream has the command's end" \
	wait_log "$work/stream" "\"id\":$id,.*\"status\":\"ok\"" 10
check "... and one color value, not one per component" \
	test "$(count_log "$work/stream" '"site":"House","device":"zw:11:0","key":"color"')" -eq 1 -a \
	"$(count_log "$work/stream" '"site":"House","device":"zw:11:0","key":"color","value":"#ff8000"')" -eq 1
kill "$spid" 2>/dev/null
id=$(cmd zw:11:0 white_warm 128)
check "white_warm 128: ok" wait_cmd "$id" ok 15
check "white_warm is 128" wait_val zw:11:0 white_warm 128 5
check "color unchanged by it" test "$(val zw:11:0 color)" = '#ff8000'
n=$(count_log "$Z" 'node 11 gets 33 05')
id=$(cmd zw:11:0 color '"orange"')
check "color \"orange\": failed" wait_cmd "$id" failed 10
check "... bad_value, saying why" \
	test "$(get "commands/$id" | json '(j["result"], j["detail"])')" = \
	"('bad_value', 'expects a colour as #rrggbb')"
check "... and no Color Set went to the node" \
	test "$(count_log "$Z" 'node 11 gets 33 05')" -eq "$n"
check "white_cold (not one of its components): 404" grep -q '^404' \
	<<<"$(post devices/slave-house/zw:11:0/values/white_cold \
	'{"value":5}' "${auth[@]}")"
zw color 11 3 255
check "green turned up by hand: reported as #ffff00" \
	wait_val zw:11:0 color '#ffff00' 10

# the dashboard's control in a real browser (tests/browser/zwcc.mjs),
# where Chromium and playwright-core are there (make deps)
chromium=${HD_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ] || ! command -v node >/dev/null ||
    ! "$top/tests/browser/install.sh" >"$work/npm.log" 2>&1; then
	echo "skip - $tname: the dashboard part (no chromium, node or playwright-core)"
else
	spki=$(openssl x509 -in "$G/web.crt" -pubkey -noout | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64)
	HD_TNAME=$tname HD_SPKI=$spki HD_URL=$U/ HD_USER=admin HD_PASSWORD=$pw \
	HD_SHOTS=$work HD_NODE=slave-house HD_DEVICE=zw:11:0 HD_CONTROL=color \
	HD_FROM='#ffff00' HD_TO='#00ff00' \
		timeout 300 node "$top/tests/browser/zwcc.mjs" 2>"$work/browser.log"
	rc=$?
	[ "$rc" -eq 0 ] || failures=$((failures + 1))
	check "the browser run ended by itself (status $rc)" test "$rc" -le 1
	check "... the colour #00ff00 reached the light" \
		wait_val zw:11:0 color '#00ff00' 10
fi

# 2. a light with Supervision: its SUCCESS confirms the colour
zw join 12 11 26 33 6c 86
zw supervise 12 ff
check "node 12 waits to join, Supervision SUCCESS" \
	wait_log "$Z" 'zwsim: control: supervise 12 ff' 5
check "node 12 included and interviewed" \
	post zwave/slave-house/inclusion '{"action":"include","timeout":30}' \
	"${auth[@]}" >/dev/null &&
	wait_log "$M" "zwave include: interviewed, node 12" 20
check "color polled" wait_val zw:12:0 color '#000000' 10
n=$(count_log "$Z" 'node 12 gets 33 03')
id=$(cmd zw:12:0 color '"#0000ff"')
check "color #0000ff: ok" wait_cmd "$id" ok 15
check "... sent inside a Supervision Get" wait_log "$Z" 'node 12 gets 6c 01' 5
check "... confirmed by its SUCCESS as #0000ff" \
	test "$(get "commands/$id" | json 'j["value"]')" = '#0000ff'
check "... with no Color Get" \
	test "$(count_log "$Z" 'node 12 gets 33 03')" -eq "$n"
check "slave still running" kill -0 "$(pid_of slave-house)"

# 3. interoperability: zwave-js's own mock colour light
# (tests/integration/zwave-js/network-zwcc.cjs), the same slave moved to
# it; skipped where npm could not install zwave-js.
if ! "$top/tests/integration/zwave-js/install.sh" >"$work/npm.log" 2>&1 ||
    ! command -v node >/dev/null; then
	echo "skip - $tname: the zwave-js part (zwave-js not installable)"
else
	kill "$(pid_of slave-house)"
	check "the slave stops (to move to the mock)" \
		wait_log "$M" 'slave slave-house .*offline' 15
	n0=$(count_log "$S" 'zwave: node [23]: [0-9]+ command classes')
	zjs_network=$top/tests/integration/zwave-js/network-zwcc.cjs
	. "$top/tests/integration/zwave-js/mock.sh"
	mpid=${pids[-1]}
	slave_conf slave-house House "$port" "$G" "simulate no" \
		"zwave port tcp://127.0.0.1:$zport"
	start hd-slave slave-house
	check "the mock's two nodes interviewed" \
		wait_count "$S" 'zwave: node [23]: [0-9]+ command classes' $((n0 + 2)) 30
	check "its light (node 3): color polled: #112233" wait_val zw:3:0 color '#112233' 15
	check "... white_warm polled: 10" wait_val zw:3:0 white_warm 10 15
	check "... its components from its Supported Report (no cold white)" \
		test "$(get devices/slave-house/zw:3:0 | json "sorted(v['key'] for v in j['values'] if v['key'] in ('color', 'white_warm', 'white_cold'))")" = \
		"['color', 'white_warm']"
	# No Color Set: zwave-js 15 cannot parse one (ColorSwitchCCSet.from
	# writes this.colorTable in a static method and throws), so its mock
	# neither acknowledges nor takes it.
	check "mock server still running" kill -0 "$mpid"
fi
exec 3>&-
finish
