#!/usr/bin/env bash
# Z-Wave node maintenance from the dashboard (docs/ZWAVE.md, "Node
# maintenance"; docs/WEB.md): a master and a slave on hd-zwsim -7 (a
# 700-series stick, whose pings carry route figures), a node with
# Configuration v4 included through the API, then headless Chromium
# (tests/browser/zwdash.mjs): node states, a ping and its figures, a
# deaf node removed, a replacement waiting then stopped, a parameter read
# and set (a value out of range refused in the page), a heal to its end
# and one stopped (hd-zwsim holding a node's update until the stop came),
# a user who is not an admin without the view.
# The stream's zwave events carry each step: checked here with curl too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

chromium=${HD_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ] || ! command -v node >/dev/null; then
	echo "skip - $tname: no $chromium or node (make deps installs them)"
	exit 0
fi
if ! "$top/tests/browser/install.sh" >"$work/npm.log" 2>&1; then
	echo "skip - $tname: playwright-core not installable ($(tail -1 "$work/npm.log"))"
	exit 0
fi

zw_web
zwsim -7
zw_start
zw_interviewed
zw_api

# 1. node 7, a switch with Configuration (v4: range, default, name)
zw join 7 10 25 70 86 72
check "node 7 waits to join" wait_log "$Z" 'zwsim: control: join 7 ' 5
out=$(post zwave/slave-house/inclusion '{"action":"include","timeout":30}' "${auth[@]}")
check "inclusion asked: 202" grep -q '^202' <<<"$out"
check "node 7 included and interviewed" \
	wait_log "$M" 'zwave include: interviewed, node 7' 20

# 2. the node list's new fields, and the stream carrying maintenance steps
n=$(hcurl -H "Cookie: $sess" "$A/zwave/slave-house/nodes")
check "the node list: listening, battery, low flag, a last report" \
	test "$(json '[(x["node"], x["listening"], x["battery"], x["low_battery"],
	    x["last_report_ms"] is not None) for x in j["nodes"] if x["node"] in (2, 5)]' <<<"$n")" = \
	"[(2, 'always', None, False, True), (5, 'always', 80, False, True)]"
hcurl -N --max-time 8 -H "Cookie: $sess" "$A/stream" >"$work/stream" &
pids+=($!)
check "the stream is open" wait_log "$work/stream" '^event: hello' 5
out=$(post zwave/slave-house/maintenance '{"op":"ping","node":4}' "${auth[@]}")
check "a ping by the API: 202" grep -q '^202' <<<"$out"
check "... its steps on the stream as zwave events, with op and figures" \
	wait_log "$work/stream" '^data: \{"slave":"slave-house","time_ms":[0-9]+,"op":"ping","state":"done","node":4,"reason":"[^"]*","rtt_ms":[0-9]+,"tx_status":0,"route_ms":30,"repeaters":0,"rssi_dbm":-60\}' 10
check "... the requested step first" \
	grep -q '^data: {"slave":"slave-house","time_ms":[0-9]*,"op":"ping","state":"requested","node":4,"reason":"admin"}' "$work/stream"

# 3. the dashboard; a user with every grant to compare with (no Z-Wave)
out=$(post users '{"name":"ulla","role":"user","password":"user-password-123","grants":[{"site":"*","device":"","access":"control"}]}' "${auth[@]}")
check "a user to compare with" grep -q '^201' <<<"$out"
spki=$(openssl x509 -in "$G/web.crt" -pubkey -noout | openssl pkey -pubin -outform der |
	openssl dgst -sha256 -binary | base64)
HD_TNAME=$tname HD_SPKI=$spki HD_URL=$U/ HD_USER=admin HD_PASSWORD=$pw \
HD_SHOTS=$work HD_NODE=slave-house HD_ZWCTL=$work/zwctl HD_CFG_NODE=7 \
HD_OTHER=ulla:user-password-123 HD_ZWLOG=$Z HD_SLAVE_LOG=$S \
	timeout 300 node "$top/tests/browser/zwdash.mjs" 2>"$work/browser.log"
rc=$?
[ "$rc" -eq 0 ] || failures=$((failures + 1))
check "the browser run ended by itself (status $rc)" test "$rc" -le 1

# 4. what the stick saw
check "the stick removed the failed node 3" grep -q 'zwsim: failed node 3 removed' "$Z"
check "node 5's replacement ended at the stick" \
	grep -q 'zwsim: replacement of node 5 stopped' "$Z"
check "node 7's parameter 1 set to 42, and 150 never sent" \
	eval 'grep -q "zwsim: node 7: parameter 1 set to 42$" "$Z" &&
	    ! grep -q "parameter 1 set to 150" "$Z"'
check "every listening node healed, one at a time, then a heal stopped" \
	test "$(grep -oE 'node [0-9]+: neighbours (not )?updated' "$Z" | head -4 | tr '\n' ,)" = \
	"node 2: neighbours updated,node 4: neighbours updated,node 5: neighbours not updated,node 7: neighbours updated,"
check "... the second one stopped after node 4 (held until the stop came)" \
	test "$(count_log "$Z" 'node 4: neighbours updated'),$(count_log "$Z" \
	    'node 5: neighbours'),$(count_log "$Z" 'node 7: neighbours')" = 2,1,1
check "slave still running" kill -0 "$(pid_of slave-house)"
exec 3>&-
finish
