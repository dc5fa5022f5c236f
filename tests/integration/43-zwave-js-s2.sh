#!/usr/bin/env bash
# S2 against the npm zwave-js mock server (an independent S2: KEX,
# Curve25519, the temporary key, Network Key Get/Verify, Transfer End,
# SPAN, Commands Supported): its controller adds an S2 Access Control door
# lock (network-s2.cjs) when the API starts an inclusion. Through the API,
# as a user would: the requested class is shown, granted, the DSK shown
# with its first group blank, the PIN typed (the mock logs it, as a real
# lock prints it on its label); the slave then gives the lock its key,
# learns Door Lock as its secure class, and the node list says
# s2_access_control. Lock and unlock from the API are confirmed by the
# lock's S2-encapsulated reports, nothing in clear. Then the lock's radio
# id is used by a forger: a clear Door Lock report and the same inside a
# clear Supervision Get are refused, the value stays. Skips like
# 31-zwave-js.sh when npm cannot install the package.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_web
zjs_network=$top/tests/integration/zwave-js/network-s2.cjs
HD_ZJS_TRIGGER=$work/forge
export HD_ZJS_TRIGGER
. "$top/tests/integration/zwave-js/mock.sh"
zw_start
check "the stick is ready" wait_log "$S" 'zwave: .*(ready|node table)' 15
check "the S2 keys are made, 0600" test "$(stat -c %a "$work/state-slave-house/zwave-s2.key")" = 600

zw_api
incl() { post zwave/slave-house/inclusion "$1" "${auth[@]}"; }
s2() { get zwave/slave-house/inclusion | json "j['s2']$1"; }
wait_s2() {	# wait_s2 WAITING SECONDS: the inclusion's S2 state
	local i=0
	while [ "$i" -lt $(($2 * 10)) ]; do
		[ "$(s2 "['waiting']" 2>/dev/null)" = "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
wait_value() {	# wait_value DEVICE PATTERN SECONDS: GET the device until it matches
	local i=0
	while [ "$i" -lt $(($3 * 10)) ]; do
		get "devices/slave-house/$1" | grep -Eq "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# 1. inclusion with S2 Access Control
out=$(incl '{"action":"include","timeout":60}')
check "include: 202" grep -q '^202' <<<"$out"
check "our STOP gets DONE for node 5" \
	wait_log "$M" 'zwave include: done, node 5' 15
check "the lock's S2 request reaches the API" wait_s2 grant 15
check "it asks for S2 Access Control" \
	test "$(s2 "['requested']")" = "['s2_access_control']"
out=$(incl '{"action":"grant","classes":["s2_bogus"]}')
check "an unknown class is refused: 400" grep -q '^400' <<<"$out"
out=$(incl '{"action":"grant","classes":["s2_access_control"]}')
check "grant Access Control: 202" grep -q '^202' <<<"$out"
check "the PIN is asked for" wait_s2 pin 15
dsk=$(s2 "['dsk']")
check "the DSK is shown, its first group blank ($dsk)" \
	grep -Eq '^_____(-[0-9]{5}){7}$' <<<"$dsk"
pin=$(sed -n 's/.*HD-S2-PIN 5 \([0-9]\{5\}\).*/\1/p' "$J" | tail -1)
check "the lock's PIN (its label: the mock's log)" test -n "$pin"
out=$(incl '{"action":"grant","pin":"123"}')
check "a PIN of 3 digits: 400" grep -q '^400' <<<"$out"
out=$(incl "{\"action\":\"grant\",\"pin\":\"$pin\"}")
check "the PIN: 202" grep -q '^202' <<<"$out"
check "bootstrapping ends" wait_s2 done 30
check "S2 Access Control granted, no downgrade" \
	test "$(s2 "['granted']"),$(s2 "['downgraded']")" = "['s2_access_control'],False"
check "the slave learns Door Lock as its secure class under S2" \
	wait_log "$S" 'zwave: node 5: [0-9]+ S2 command classes:.* 62' 20
n=$(get zwave/slave-house/nodes)
check "the node list says s2_access_control" \
	test "$(json '[x["security"] for x in j["nodes"] if x["node"] == 5]' <<<"$n")" = \
	"['s2_access_control']"
check "the stream carried the S2 steps" \
	test "$(count_log "$M" 'zwave include: (s2_grant|s2_pin|security)')" -ge 3

# 2. lock and unlock through the API
setlock() {	# setlock true|false: the command's id
	post devices/slave-house/zw:5:0/values/locked "{\"value\":$1}" \
		"${auth[@]}" | tail -1 | grep -Eo '"id":[0-9]+' | cut -d: -f2
}
id=$(setlock true)
check "lock through the API: a command id ($id)" test -n "$id"
check "lock confirmed by the lock's S2 report" \
	wait_log "$M" "command $id OK" 20
check "the API shows it locked" \
	wait_value zw:5:0 '"key":"locked",[^}]*"value":true' 10
id=$(setlock false)
check "unlock confirmed" wait_log "$M" "command $id OK" 20
id=$(setlock true)
check "locked again" wait_log "$M" "command $id OK" 20
check "nothing refused, no nonce missed" \
	test "$(count_log "$S" 'S2 frame refused|no S2 nonce|nonce get not delivered|clear-text command')" -eq 0

# 3. a forger with the lock's id: clear, and inside a clear Supervision Get
touch "$HD_ZJS_TRIGGER"
check "the forged frames went" wait_log "$J" 'HD-FORGED supervised' 10
check "the clear Door Lock report is refused" \
	wait_count "$S" 'zwave: node 5: clear-text command 0x62 0x03 refused' 2 10
check "the lock still shows locked" \
	wait_value zw:5:0 '"key":"locked",[^}]*"value":true' 5
check "no downgrade at any point" \
	test "$(count_log "$S" 'SECURITY DOWNGRADE')" -eq 0
check "no retransmission was needed" \
	test "$(count_log "$S" 'not acknowledged|stopped answering')" -eq 0

# 4. the provisioning list: a QR code string (zwave-js's parser takes it,
# tests/unit/test_zw_s2_qr.c) added, kept on the slave, removed. An S2
# code (version 00), not a SmartStart one: a pending SmartStart entry puts
# the stick in SmartStart listen mode, which the stock mock takes for
# "add the pending node now" (24-zwave-smartstart.sh plays that part).
qr=9000280400040000100002000030000400005000060000765535022000134000030010000261001016387017920803100
qrdsk=00001-00002-00003-00004-00005-00006-00007-65535
bad=${qr:0:20}9${qr:21}
[ "${qr:20:1}" = 9 ] && bad=${qr:0:20}8${qr:21}
prov() { post zwave/slave-house/provisioning "$1" "${auth[@]}"; }
pget() { get zwave/slave-house/provisioning; }
wait_prov() {	# wait_prov PYTHON-EXPR SECONDS: until the list says so
	local i=0
	while [ "$i" -lt $(($2 * 10)) ]; do
		[ "$(pget | json "$1" 2>/dev/null)" = True ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
out=$(prov "{\"action\":\"add\",\"qr\":\"$bad\"}")
check "a mistyped QR code: sent (202)" grep -q '^202' <<<"$out"
check "the slave refuses it: wrong checksum" \
	wait_prov "'wrong checksum' in j['error'] and j['entries'] == []" 10
out=$(prov "{\"action\":\"add\",\"qr\":\"$qr\"}")
check "the right one: listed with its DSK and request" \
	wait_prov "j['error'] == '' and [(e['dsk'], e['requested'], e['smartstart']) for e in j['entries']] == [('$qrdsk', ['s2_access_control'], False)]" 10
check "kept on the slave, 0600" \
	test "$(stat -c %a "$work/state-slave-house/zwave.provision")" = 600
prov "{\"action\":\"remove\",\"dsk\":\"$qrdsk\"}" >/dev/null
check "removed" wait_prov "j['entries'] == [] and j['error'] == ''" 10

# 5. the second lock through the dashboard (tests/browser/s2incl.mjs),
# where Chromium and playwright-core are there (make deps)
chromium=${HD_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ] || ! command -v node >/dev/null ||
    ! "$top/tests/browser/install.sh" >"$work/npm.log" 2>&1; then
	echo "skip - $tname: the dashboard part (no chromium, node or playwright-core)"
else
	spki=$(openssl x509 -in "$G/web.crt" -pubkey -noout | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64)
	HD_TNAME=$tname HD_SPKI=$spki HD_URL=$U/ HD_USER=admin HD_PASSWORD=$pw \
	HD_SHOTS=$work HD_NODE=slave-house HD_LOCK=6 HD_PIN_FILE=$J \
	HD_QR=$qr HD_QR_DSK=$qrdsk \
		timeout 300 node "$top/tests/browser/s2incl.mjs" 2>"$work/browser.log"
	rc=$?
	[ "$rc" -eq 0 ] || failures=$((failures + 1))
	check "the browser run ended by itself (status $rc)" test "$rc" -le 1
	check "the slave granted node 6 S2 Access Control" \
		wait_log "$S" 'zwave: node 6: S2 bootstrapping done: S2 Access Control granted' 10
fi
check "mock server still running" kill -0 "${pids[0]}"
echo "# TCP reads the mock had to split: $(count_log "$J" 'Serial API messages: split')"
finish
