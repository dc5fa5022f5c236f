#!/usr/bin/env bash
# A command to a sleeping Z-Wave node, end to end: a real master (API
# over HTTPS, the event stream) and hd-slave on hd-zwsim. The command is
# answered "queued" (GET and a stream event), stays queued past the
# usual command time (API_CMD_TIMEOUT_MS + API_CMD_GRACE_MS) with nothing
# sent to the node, and completes OK once the node wakes up. The
# dashboard's card says "queued" meanwhile (in Chromium, when there).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

USUAL_S=15	# API_CMD_TIMEOUT_MS + API_CMD_GRACE_MS, in seconds

zw_web
zwsim
zw_start "zwave wakeup-interval 600"
check "the simulated nodes are interviewed" \
	wait_count "$S" 'zwave: node [2-5]: (interview complete|[0-9]+ command classes, [0-9]+ values)' 4 40

zw_api

# 1. a sleeping switch, included and interviewed, asleep again
zw join 9 10 25 84 86
zw sleepy 9
post zwave/slave-house/inclusion '{"action":"include"}' "${auth[@]}" >/dev/null
check "node 9 included" wait_log "$M" 'zwave include: done, node 9' 15
check "interviewed, then told to sleep" \
	wait_log "$Z" 'zwsim: node 9 back to sleep' 20
wait_log "$M" 'zwave include: interviewed, node 9' 10

# 2. the command through the API, watched on the stream
curl -s -N --cacert "$G/ca.crt" --max-time 120 -H "Cookie: $sess" \
	"$A/stream" >"$work/stream" 2>/dev/null &
spid=$!
pids+=($spid)
check "the stream is open" wait_log "$work/stream" '^(id|event|:)' 10
n=$(count_log "$Z" 'node 9 gets 25 01')
out=$(post devices/slave-house/zw:9:0/values/on '{"value":true}' "${auth[@]}")
id=$(grep -Eo '"id":[0-9]+' <<<"$out" | cut -d: -f2)
check "POST to the sleeping node: 202 pending" \
	grep -q '^202' <<<"$out"
check "the stream says queued" \
	wait_log "$work/stream" "\"id\":$id,.*\"status\":\"queued\"" 15
out=$(hcurl "${auth[@]}" "$A/commands/$id")
check "GET the command: queued, the node asleep" \
	grep -q '"status":"queued".*"detail":"the node is asleep' <<<"$out"
check "the master logs QUEUED" \
	wait_log "$M" "command $id QUEUED" 5
# Past the usual command time: no "timeout" lie while the node sleeps.
sleep $((USUAL_S + 3))
out=$(hcurl "${auth[@]}" "$A/commands/$id")
check "after ${USUAL_S} s and more: still queued, not no_answer" \
	grep -q '"status":"queued"' <<<"$out"
check "nothing sent to the node yet" \
	test "$(count_log "$Z" 'node 9 gets 25 01')" -eq "$n"
check "no final result on the stream yet" \
	test "$(count_log "$work/stream" "\"id\":$id,.*\"status\":\"(ok|failed)\"")" -eq 0

# 3. the wake-up: the SET goes, the report confirms it
zw wake 9
check "at the wake-up the SET reaches the node" \
	wait_log "$Z" 'node 9 gets 25 01' 15
check "the stream shows the command ok" \
	wait_log "$work/stream" "\"id\":$id,.*\"status\":\"ok\"" 15
out=$(hcurl "${auth[@]}" "$A/commands/$id")
check "GET the command: ok, value true" \
	grep -q '"status":"ok","result":"ok".*"value":true' <<<"$out"
check "then No More Information" \
	wait_count "$Z" 'zwsim: node 9 back to sleep' 2 10
kill "$spid" 2>/dev/null

# 4. the dashboard's card in a real browser (tests/browser/queued.mjs),
# where Chromium and playwright-core are there (make deps)
chromium=${HD_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ] || ! command -v node >/dev/null ||
    ! "$top/tests/browser/install.sh" >"$work/npm.log" 2>&1; then
	echo "skip - $tname: the dashboard part (no chromium, node or playwright-core)"
else
	spki=$(openssl x509 -in "$G/web.crt" -pubkey -noout | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64)
	HD_TNAME=$tname HD_SPKI=$spki HD_URL=$U/ HD_USER=admin HD_PASSWORD=$pw \
	HD_SHOTS=$work HD_ZWCTL=$work/zwctl HD_NODE=slave-house HD_DEVICE=zw:9:0 \
		timeout 300 node "$top/tests/browser/queued.mjs" 2>"$work/browser.log"
	rc=$?
	[ "$rc" -eq 0 ] || failures=$((failures + 1))
	check "the browser run ended by itself (status $rc)" test "$rc" -le 1
	check "the browser's command waited for the wake-up" \
		wait_count "$Z" 'zwsim: node 9 back to sleep' 3 10
fi
check "slave still running" kill -0 "$(pid_of slave-house)"
exec 3>&-
finish
