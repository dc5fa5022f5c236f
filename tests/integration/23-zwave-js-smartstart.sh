#!/usr/bin/env bash
# SmartStart against the zwave-js mock server (its S2: KEX, Curve25519,
# the temporary key, Network Key Get/Verify, Transfer End, SPAN; the
# stick's SmartStart side is played by network-ss.cjs on the raw bytes,
# since the stock mock has none): two SmartStart devices announce
# themselves while the stick listens, A (an S2 Access Control lock) and
# B. A's QR code string goes onto the provisioning list through the API;
# the stick is then told to listen, A is included by its home id with no
# button and no user asked (no grant, no PIN: its entry's classes and
# DSK), its entry says included, and a lock command to it goes under S2.
# B, unlisted, is heard and ignored, never included. Then C, asking for
# S2 Unauthenticated and S0, gets both in one bootstrapping (S0 through
# S2). After a restart the entries are still included and the stick no
# longer listens. Skips like
# 31-zwave-js.sh when npm cannot install the package.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_web
zjs_network=$top/tests/integration/zwave-js/network-ss.cjs
. "$top/tests/integration/zwave-js/mock.sh"
zw_start
check "the stick is ready" wait_log "$S" 'zwave: controller ready' 15

zw_api
prov() { post zwave/slave-house/provisioning "$1" "${auth[@]}"; }
wait_prov() {	# wait_prov PYTHON-EXPR SECONDS: until the list says so
	local i=0
	while [ "$i" -lt $(($2 * 10)) ]; do
		[ "$(get zwave/slave-house/provisioning | json "$1" 2>/dev/null)" = True ] &&
			return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
wait_log "$J" 'HD-SS-DSK B' 10
dska=$(sed -n 's/.*HD-SS-DSK A \([0-9-]*\) nwi \([0-9a-f]*\).*/\1/p' "$J")
nwia=$(sed -n 's/.*HD-SS-DSK A [0-9-]* nwi \([0-9a-f]*\).*/\1/p' "$J")
nwib=$(sed -n 's/.*HD-SS-DSK B [0-9-]* nwi \([0-9a-f]*\).*/\1/p' "$J")
check "the devices' DSKs are known (A $dska)" test -n "$dska" -a -n "$nwib"
# mkqr KEYS DSK CLASS: a device's QR code string, as its label would
# carry it: SmartStart (01), the requested keys, the DSK, product type
# (generic and specific class as one number) and product id.
mkqr() {
	python3 - "$@" <<'PY'
import hashlib, sys
dsk = "".join(sys.argv[2].split("-"))
body = "%03d" % int(sys.argv[1]) + dsk + "0010" + \
    "%05d%05d" % (int(sys.argv[3]), 0x0700) + "0220" + "%05d" * 4 % (0, 0, 0, 0)
cs = hashlib.sha1(body.encode()).digest()
print("9001" + "%05d" % (cs[0] << 8 | cs[1]) + body)
PY
}
# A: S2 Access Control (4), a lock (0x40, 0x03).
qr=$(mkqr 4 "$dska" $((0x4003)))

# 1. nothing listed: the stick does not listen
check "an empty list: the stick does not listen" \
	wait_prov "j['smartstart'] == {'listening': False, 'blocked': ''} and j['entries'] == []" 10
check "no listen mode asked of the stick" test "$(count_log "$J" 'HD-SS listening')" -eq 0

# 2. A listed: the stick listens, A announces itself and is included
out=$(prov "{\"action\":\"add\",\"qr\":\"$qr\"}")
check "A's QR code added: 202" grep -q '^202' <<<"$out"
check "listed, pending, SmartStart" \
	wait_prov "[(e['dsk'], e['smartstart'], e['state']) for e in j['entries']] == [('$dska', True, 'pending')] or [e['state'] for e in j['entries']] == ['included']" 10
check "the stick is told to listen" wait_log "$J" 'HD-SS listening' 10
check "B, unlisted, announces itself meanwhile" wait_log "$J" "HD-SS announce $nwib" 15
check "A announces itself and the slave includes it by its home id" \
	wait_log "$J" "HD-SS include $nwia" 20
check "the slave says why" \
	wait_log "$S" "SmartStart: the listed device $dska announced itself: including it" 5
check "the stick adds it as node 5" wait_log "$M" 'zwave include: done, node 5' 20
check "S2 Access Control granted as listed, nobody asked" \
	wait_log "$S" 'zwave: node 5: SmartStart: S2 Access Control granted as listed' 20
check "its key is the listed DSK: the PIN comes from the list" \
	wait_log "$S" 'zwave: node 5: SmartStart: its key is the listed DSK' 20
check "S2 bootstrapping done" \
	wait_log "$S" 'zwave: node 5: S2 bootstrapping done: S2 Access Control granted' 30
check "no grant and no PIN were asked of the user" \
	test "$(count_log "$M" 'zwave include: (s2_grant|s2_pin)')" -eq 0
check "the entry says included as node 5, the stick no longer listens" \
	wait_prov "[(e['state'], e['node']) for e in j['entries']] == [('included', 5)] and not j['smartstart']['listening']" 15
check "Door Lock learnt as its S2 class" \
	wait_log "$S" 'zwave: node 5: [0-9]+ S2 command classes:.* 62' 20
n=$(get zwave/slave-house/nodes)
check "the node list says s2_access_control" \
	test "$(json '[x["security"] for x in j["nodes"] if x["node"] == 5]' <<<"$n")" = \
	"['s2_access_control']"

# 3. a command to it, under S2
id=$(post devices/slave-house/zw:5:0/values/locked '{"value":true}' "${auth[@]}" |
	tail -1 | grep -Eo '"id":[0-9]+' | cut -d: -f2)
check "lock through the API: a command id ($id)" test -n "$id"
check "lock confirmed by the lock's S2 report" wait_log "$M" "command $id OK" 20
check "nothing in clear, nothing refused, no downgrade" \
	test "$(count_log "$S" 'S2 frame refused|clear-text command|SECURITY DOWNGRADE')" -eq 0

# 4. B: heard, never included; its announcements logged at a bounded rate
check "B was never included" test "$(count_log "$J" "HD-SS include $nwib")" -eq 0
check "only one inclusion by home id in all" test "$(count_log "$J" 'HD-SS include')" -eq 1
nb=$(count_log "$J" "HD-SS announce $nwib")
ns=$(count_log "$S" "home id $nwib announced itself: not on the provisioning list")
check "B ignored, logged $ns time(s) for $nb announcements" \
	test "$ns" -ge 1 -a "$ns" -lt "$nb"
check "the stick listened once: no listening after A" \
	test "$(count_log "$J" 'HD-SS listening')" -eq 1

# 5. C, listed asking for S2 Unauthenticated and S0: both granted in one
# bootstrapping (zwave-js's S2 asks for the S0 key with Network Key Get
# and verifies it under that key); no PIN class, so its whole key is
# compared with the listed DSK
dskc=$(sed -n 's/.*HD-SS-DSK C \([0-9-]*\) nwi.*/\1/p' "$J")
nwic=$(sed -n 's/.*HD-SS-DSK C [0-9-]* nwi \([0-9a-f]*\).*/\1/p' "$J")
qrc=$(mkqr 129 "$dskc" 4097)
out=$(prov "{\"action\":\"add\",\"qr\":\"$qrc\"}")
check "C's QR code (S2 Unauthenticated and S0) added: 202" grep -q '^202' <<<"$out"
check "C announces itself and is included by its home id" \
	wait_log "$J" "HD-SS include $nwic" 20
check "its whole key is the listed DSK (no PIN class)" \
	wait_log "$S" 'zwave: node 6: S2 bootstrapping done: S2 Unauthenticated S0 granted' 40
check "the S0 key was asked for and given under S2" \
	test "$(count_log "$S" 'node 6: .*(KEX Fail|SECURITY DOWNGRADE)')" -eq 0
check "C's entry: included as node 6" \
	wait_prov "[(e['state'], e['node']) for e in j['entries']] == [('included', 5), ('included', 6)]" 15
check "Binary Switch learnt as its S2 class" \
	wait_log "$S" 'zwave: node 6: [0-9]+ S2 command classes:.* 25' 20
n=$(get zwave/slave-house/nodes)
check "the node list says s2_unauthenticated" \
	test "$(json '[x["security"] for x in j["nodes"] if x["node"] == 6]' <<<"$n")" = \
	"['s2_unauthenticated']"
id=$(post devices/slave-house/zw:6:0/values/on '{"value":true}' "${auth[@]}" |
	tail -1 | grep -Eo '"id":[0-9]+' | cut -d: -f2)
check "switch C on through the API: confirmed under S2" \
	wait_log "$M" "command $id OK" 20

# 6. a restart: the entries are still included, nothing listens
kill "$(pid_of slave-house)"
check "slave stopped" wait_log "$M" 'slave slave-house .*(offline|lost|gone)' 15
start hd-slave slave-house
check "slave back" wait_count "$S" 'zwave: controller ready' 2 20
check "after the restart: included as nodes 5 and 6, not listening" \
	wait_prov "[(e['state'], e['node']) for e in j['entries']] == [('included', 5), ('included', 6)] and not j['smartstart']['listening']" 15
check "the stick is not told to listen again" \
	test "$(count_log "$J" 'HD-SS listening')" -eq 2
check "mock server still running" kill -0 "${pids[0]}"
finish
