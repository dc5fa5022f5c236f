#!/usr/bin/env bash
# The Z-Wave controller's NVM backup and restore through the API over
# real HTTPS (admin session and CSRF token), against hd-zwsim's NVM:
# first a 700-series stick (-7: function 0x3D, 32-bit addresses, 72 KiB),
# backed up while a command to a node goes on between the chunks, the
# file downloaded page by page and checked against the slave's copy and
# its SHA-256; a node excluded, the backup restored (a command meanwhile
# answered busy), the stick reset and the node back in the node list.
# Then a 500-series stick (0x2E, 16-bit, 16 KiB) on the same slave: the
# 700 image uploaded and refused in words, a damaged upload refused, its
# own backup, and that backup restored.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_web

zwsim -7
zw_start
zw_interviewed
zw_api
nvm() { post zwave/slave-house/nvm "$1" "${auth[@]}"; }
st() { get zwave/slave-house/nvm | json "$1"; }
# wait_nvm STATE SECONDS: until the NVM state is STATE
wait_nvm() {
	local i=0
	while [ "$i" -lt $(($2 * 10)) ]; do
		[ "$(st 'j["state"]')" = "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# command DEVICE KEY VALUE: its id
command() {
	post "devices/slave-house/$1/values/$2" "{\"value\":$3}" "${auth[@]}" |
		sed -n 's/.*"id":\([0-9]*\).*/\1/p'
}
# wait_cmd ID SECONDS: until it is no longer pending; prints "result detail"
wait_cmd() {
	local i=0 out
	while [ "$i" -lt $(($2 * 10)) ]; do
		out=$(get "commands/$1" | json '(j["status"], j["result"], j["detail"])')
		case $out in *"'pending'"*) ;; *) echo "$out"; return 0 ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# download FILE: the backup's pages put together
download() {
	local off=0 next
	: >"$1.b64"
	while [ -n "$off" ] && [ "$off" != None ]; do
		get "zwave/slave-house/nvm/image?offset=$off" >"$work/page" ||
			return 1
		json 'j["data"]' <"$work/page" >>"$1.b64"
		next=$(json 'j["next"]' <"$work/page")
		off=$next
	done
	python3 -c "import base64,sys; sys.stdout.buffer.write(b''.join(base64.b64decode(l.strip()) for l in open('$1.b64')))" >"$1"
}
# upload FILE [CORRUPT]: PUT in pages of 3 strings of 4092 characters;
# prints the last answer's status
upload() {
	python3 - "$1" "${2:-}" "$A/zwave/slave-house/nvm/image" <<'PY' >"$work/up.json"
import base64, json, sys
data = bytearray(open(sys.argv[1], 'rb').read())
if sys.argv[2]:
    data[200] ^= 0xff
bodies = []
step = 3 * 3069
for off in range(0, len(data), step):
    piece = data[off:off + step]
    strs = [base64.b64encode(piece[i:i + 3069]).decode() for i in range(0, len(piece), 3069)]
    bodies.append(json.dumps({"offset": off, "size": len(data), "data": strs}))
print(json.dumps(bodies))
PY
	local n i code
	n=$(json 'len(j)' <"$work/up.json")
	for ((i = 0; i < n; i++)); do
		json "j[$i]" <"$work/up.json" >"$work/up.body"
		code=$(hcurl -o "$work/body" -w '%{http_code}' -X PUT \
			-H 'Content-Type: application/json' "${auth[@]}" \
			--data-binary @"$work/up.body" "$A/zwave/slave-house/nvm/image")
		[ "$code" = 200 ] || break
	done
	echo "$code"
}

# 1. before any backup; refusals
check "no session: 401" test "$(hcurl -o /dev/null -w '%{http_code}' \
	"$A/zwave/slave-house/nvm")" = 401
check "no backup yet, nothing under way" \
	test "$(st '(j["backup"], j["active"], j["state"], j["online"])')" = \
	"(None, False, 'idle', True)"
check "no image to download: 404" test "$(hcurl -o /dev/null -w '%{http_code}' \
	-H "Cookie: $sess" "$A/zwave/slave-house/nvm/image")" = 404
check "no CSRF token: 403" grep -q '^403' <<<"$(post zwave/slave-house/nvm \
	'{"action":"backup"}' -H "Cookie: $sess")"
check "an unknown action: 400" grep -q '^400' <<<"$(nvm '{"action":"erase"}')"
check "an unknown slave: 404" grep -q '^404' <<<"$(post zwave/nobody/nvm \
	'{"action":"backup"}' "${auth[@]}")"
out=$(nvm '{"action":"restore","source":"upload"}')
check "restore of an upload that never came: 409" grep -q '^409' <<<"$out"
check "... saying so" grep -q 'no whole uploaded image' <<<"$out"

# 2. backup of the 700-series stick, a command going on meanwhile
out=$(nvm '{"action":"backup"}')
check "backup: 202" grep -q '^202' <<<"$out"
id=$(command zw:2:0 on true)
check "a command during the backup: accepted" test -n "$id"
check "... confirmed while the backup runs" \
	test "$(wait_cmd "$id" 15)" = "('ok', 'ok', '')"
check "the backup is done" wait_nvm done 60
check "through the extended NVM function, 72 KiB" \
	grep -q 'zwsim: nvm open, 73728 bytes' "$Z"
check "read with 0x3D in chunks of 240 bytes or less" \
	test "$(count_log "$Z" 'zwsim: request 0x3d')" -ge $((73728 / 240 + 2))
check "the command's SET went between two NVM reads" python3 - "$Z" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
reads = [i for i, l in enumerate(lines) if l == 'zwsim: request 0x3d']
sets = [i for i, l in enumerate(lines) if l.startswith('zwsim: node 2 gets 25 01')]
sys.exit(0 if any(reads[0] < s < reads[-1] for s in sets) else 1)
PY
check "the backup says its size, time and home id" \
	test "$(st 'j["reason"]' | grep -Ec '^73728 bytes in [0-9]+ ms, home id c0ffee01, SHA-256 [0-9a-f]{16}\.\.\.$')" -eq 1
echo "# figure: 700-series backup: $(st 'j["reason"]')"
check "its metadata: size, chip, library, Serial API, home id, node" \
	test "$(st '(j["backup"]["size"], j["backup"]["chip"], j["backup"]["library"], j["backup"]["serial_api"], j["backup"]["home_id"], j["backup"]["controller_node"])')" = \
	"(73728, '700 series', 'Z-Wave 7.18', '0x3d', 'c0ffee01', 1)"
F=$work/state-slave-house/zwave.nvm
check "kept on the slave: zwave.nvm, 0600, header + image" \
	test "$(stat -c '%a %s' "$F")" = "600 $((73728 + 96))"
check "the 7.18 stick was soft-reset after its backup" \
	wait_log "$S" 'soft-resetting the stick after its backup' 5
i=0
while [ "$i" -lt 100 ] && [ "$(st 'j["image_ready"]')" != True ]; do
	sleep 0.1
	i=$((i + 1))
done
check "the master holds the file for the API" test "$(st 'j["image_ready"]')" = True
download "$work/dl.nvm"
check "downloaded in pages: the slave's file, byte for byte" cmp -s "$work/dl.nvm" "$F"
check "its SHA-256 (header and image) is the one the metadata gives" \
	test "$(python3 -c "import hashlib; d=open('$work/dl.nvm','rb').read(); print(hashlib.sha256(d[:64]+d[96:]).hexdigest())")" = \
	"$(st 'j["backup"]["sha256"]')"

# 3. a node excluded, then the backup restored: the node is back
incl() { post zwave/slave-house/inclusion "$1" "${auth[@]}"; }
check "exclude: 202" grep -q '^202' <<<"$(incl '{"action":"exclude"}')"
check "the stick is asked to remove any node" \
	wait_log "$Z" 'zwsim: remove mode 0xc1' 5
zw leave 5
check "node 5 excluded" wait_log "$M" 'zwave exclude: done, node 5' 10
nodes() { get zwave/slave-house/nodes | json '[x["node"] for x in j["nodes"]]'; }
check "node 5 is gone from the master's list" test "$(nodes)" = "[2, 3, 4]"
out=$(nvm '{"action":"restore"}')
check "restore the slave's latest backup: 202" grep -q '^202' <<<"$out"
id=$(command zw:2:0 on false)
check "a command during the restore: busy, in words" \
	test "$(wait_cmd "$id" 10)" = "('failed', 'busy', \"a controller (NVM) restore is under way: the stick's network is being rewritten\")"
check "the restore is done" wait_nvm done 90
check "written, read back, then the stick reset" \
	test "$(grep -E 'zwsim: (nvm close|soft reset)' "$Z" | tail -3 | tr '\n' ,)" = \
	"zwsim: nvm close (written),zwsim: nvm close,zwsim: soft reset,"
check "the stick took node 5 back from the image" \
	grep -q 'zwsim: nvm: node 5 back' "$Z"
check "the restore says what the stick lists now" \
	test "$(st 'j["reason"]' | grep -Ec 'written and verified in [0-9]+ ms; the stick restarted: home id c0ffee01, 4 nodes besides itself')" -eq 1
echo "# figure: 700-series restore: $(st 'j["reason"]')"
check "node 5 registered again" \
	wait_log "$S" 'zwave: node 5 registered as zw:5:0' 15
check "... and in the master's list" test "$(nodes)" = "[2, 3, 4, 5]"
id=$(command zw:2:0 on false)
check "commands go again" test "$(wait_cmd "$id" 15)" = "('ok', 'ok', '')"

# 4. a 500-series stick on the same slave: the 700 image refused
kill -TERM "$(pid_of slave-house)"
check "slave stopped" wait_log "$S" 'slave slave-house stopped' 10
kill "${pids[0]}"
exec 3>&-
mv "$Z" "$work/zwsim7.log"
mv "$S" "$work/slave7.log"
rm -f "$work/zwctl" "$work/pty"
zwsim
slave_conf slave-house House "$port" "$G" "simulate no" \
	"zwave port $(cat "$work/pty")"
start hd-slave slave-house
check "the slave is back on a 500-series stick" \
	wait_count "$S" 'zwave: stick library "Z-Wave 6.07"' 1 15
check "... ready" wait_log "$S" 'zwave: controller ready' 20
check "upload of the 700 image: accepted whole" test "$(upload "$F")" = 200
check "... checked: its metadata shown" \
	test "$(st '(j["upload"]["complete"], j["upload"]["image"]["chip"])')" = \
	"(True, '700 series')"
out=$(nvm '{"action":"restore","source":"upload"}')
check "restore it: 202" grep -q '^202' <<<"$out"
check "refused by the slave" wait_nvm refused 15
check "... in words" test "$(st 'j["reason"]')" = \
	"the image is from a 700 series stick, this one is a 500 series: an NVM image cannot be restored onto another chip generation"
check "nothing was written to the stick" test "$(count_log "$Z" 'zwsim: nvm')" -eq 0
check "a damaged upload refused at its last page" \
	test "$(upload "$F" corrupt)" = 400
check "... saying why" grep -q 'SHA-256 does not match' "$work/body"
check "its own backup: 202" grep -q '^202' <<<"$(nvm '{"action":"backup"}')"
check "... done" wait_nvm done 30
check "through 0x2E, 16 KiB" \
	test "$(st '(j["backup"]["size"], j["backup"]["chip"], j["backup"]["serial_api"])')" = \
	"(16384, '500 series', '0x2e')"
echo "# figure: 500-series backup: $(st 'j["reason"]')"
check "read with 0x2E" test "$(count_log "$Z" 'zwsim: request 0x2e')" -ge $((16384 / 240 + 2))
check "a 500-series stick is not soft-reset after a backup" \
	test "$(count_log "$Z" 'zwsim: soft reset')" -eq 0

# 5. its own backup restored: written with 0x2E, read back, then a soft
# reset (a 500-series stick restarts without a word: the controller
# waits ZW_SOFT_RESET_WAIT_MS, then starts again)
check "restore of the 500-series backup: 202" \
	grep -q '^202' <<<"$(nvm '{"action":"restore"}')"
check "... done" wait_nvm done 60
echo "# figure: 500-series restore: $(st 'j["reason"]')"
check "written with 0x2E, closed, read back, closed" \
	test "$(grep -E 'zwsim: nvm close' "$Z" | tail -2 | tr '\n' ,)" = \
	"zwsim: nvm close (written),zwsim: nvm close,"
check "the stick soft-reset once, after the restore" \
	test "$(count_log "$Z" 'zwsim: soft reset')" -eq 1
check "the four nodes are there" test "$(nodes)" = "[2, 3, 4, 5]"
check "slave still running" kill -0 "$(pid_of slave-house)"
finish
