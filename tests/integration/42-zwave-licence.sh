#!/usr/bin/env bash
# The licence's Z-Wave rules end to end (docs/LICENSING.md, docs/ZWAVE.md):
# a real hd-slave on hd-zwsim, inclusion asked through the API of
# hd-master-testroot (test vendor root, simulated licence clock, see
# 40-licence.sh and 41-api-licence.sh).
#  1. zwaveNodes reached: include gets 403 licence_limit and nothing goes
#     to the slave; a licence with room: include accepted.
#  2. no secure-zwave: hd-zwsim's S0 lock joins and is included without
#     security (slave and master say so, the node list shows "none"); with
#     the feature the same lock gets S0.
#  3. limited mode (clock past grace): include refused.
# SmartStart too (1 and 2): a listed device's code is kept, but the slave
# is told why it may not include on its own, and its stick never listens.
. "$(dirname "$0")/lib.sh"

L=$work/lic
"$top/tests/integration/gen-test-licences.sh" "$L" >/dev/null ||
	{ not_ok "generate test licences"; finish; }
I=$L/inst
"$top/pki/hd-pki" issue "$I" web web >/dev/null
# newlic NAME NODES FEATURES: a licence for this installation, 2 slaves
newlic() {
	bash "$top/pki/hd-license" issue "$L/vendor" --customer "Test Home" \
	    --installation "$I/ca.crt" --slaves 2 --zwave-nodes "$2" \
	    --features "$3" --days 400 --out "$L/$1.pem" >/dev/null
}
newlic full 4 secure-zwave	# hd-zwsim starts with 4 nodes (2..5)
newlic plain 5 none		# room for one, without secure-zwave
export HD_LICENCE_ROOT=$L/vendor/root.crt
export HD_LICENCE_CLOCK=$work/clock
echo 0 >"$HD_LICENCE_CLOCK"
day=86400
port=$(free_port)
wport=$(free_port)
lic=$work/licence.pem
cp "$L/full.pem" "$lic"
master_conf master "$port" "$I" master "licence $lic" \
	"web-listen 127.0.0.1:$wport" "web-cert $I/web.crt" "web-key $I/web.key"
M=$work/master.log
S=$work/slave-a.log
A=https://127.0.0.1:$wport/api/v1
trap '' PIPE
hcurl() { curl -s --cacert "$I/ca.crt" --max-time 10 "$@"; }
hup() { kill -HUP "$(pid_of master)"; }
# json EXPR: evaluate a Python expression on the JSON read from stdin (j)
json() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

admin_pw hd-master-testroot
zwsim
start hd-master-testroot master
check "the licence for 4 nodes is valid" \
	wait_log "$M" 'licence: valid for "Test Home"' 5
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10
slave_conf slave-a House "$port" "$I" "simulate no" \
	"zwave port $(cat "$work/pty")"
start hd-slave slave-a
check "slave online" wait_log "$M" 'slave slave-a .*online' 15
check "the four simulated nodes are interviewed" \
	wait_count "$S" 'zwave: node [2-5]: [0-9]+ command classes' 4 30

admin_session
check "admin logged in" test -n "$sess" -a -n "$csrf"
incl() { post zwave/slave-a/inclusion "$1" "${auth[@]}"; }
get() { hcurl -H "Cookie: $sess" "$A/$1"; }
nodes() { get zwave/slave-a/nodes | json '[x["node"] for x in j["nodes"]]'; }
# wait_state STATE SECONDS: until the master's inclusion state is STATE
# (the stick's mode is on and the slave said so: a node may leave now).
wait_state() {
	local i=0
	while [ "$i" -lt $(($2 * 10)) ]; do
		[ "$(get zwave/slave-a/inclusion | json 'j["state"]')" = "$1" ] &&
			return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
security() {	# security NODE: its level in the API's node list
	get zwave/slave-a/nodes |
		json "[x['security'] for x in j['nodes'] if x['node'] == $1]"
}
# refused WHAT: include is refused with 403 licence_limit and the reason
# WHY, logged, and nothing reaches the slave or the stick
refused() {
	local what=$1 why=$2 asked added out
	asked=$(count_log "$M" 'zwave: include on slave slave-a requested')
	added=$(count_log "$Z" 'zwsim: add mode 0xc1')
	out=$(incl '{"action":"include"}')
	check "$what: include gets 403" grep -q '^403' <<<"$out"
	check "$what: code licence_limit, with the reason" \
		grep -qF "{\"error\":\"licence_limit\",\"reason\":\"$why\"}" <<<"$out"
	check "$what: the master logs it" \
		wait_log "$M" "api: admin may not include a Z-Wave node: $why" 5
	# The master refuses before asking the slave anything (its "include
	# on slave ... requested" line would come first): the counts are final.
	check "$what: nothing is sent to the slave" \
		test "$(count_log "$M" 'zwave: include on slave slave-a requested')" \
		-eq "$asked" -a "$(count_log "$Z" 'zwsim: add mode 0xc1')" -eq "$added"
	check "$what: the slave stays idle" test \
		"$(get zwave/slave-a/inclusion | json 'j["active"]')" = False
}

# 1. zwaveNodes reached, then a licence with room
check "the API lists the 4 nodes" test "$(nodes)" = "[2, 3, 4, 5]"
refused "4 nodes of 4" "the licence allows 4 Z-Wave nodes and 4 are included"

# SmartStart (hd-zwsim's device 12, S2 Authenticated) listed meanwhile:
# the slave may not include on its own either; told why, the stick is
# not asked to listen
zw smartstart 12 02
check "a SmartStart device is there" wait_log "$Z" 'zwsim: smartstart 12 dsk' 5
d12=$(sed -n 's/.*zwsim: smartstart 12 dsk \([0-9-]*\) nwi.*/\1/p' "$Z")
qr12=$(python3 - "$d12" <<'PY'
import hashlib, sys
body = "002" + "".join(sys.argv[1].split("-")) + "0010" + \
    "%05d%05d" % (0x1001, 0x0700) + "0220" + "%05d" * 4 % (0, 0, 0, 0)
cs = hashlib.sha1(body.encode()).digest()
print("9001" + "%05d" % (cs[0] << 8 | cs[1]) + body)
PY
)
prov() { post zwave/slave-a/provisioning "$1" "${auth[@]}"; }
wait_prov() {	# wait_prov PYTHON-EXPR SECONDS: until the list says so
	local i=0
	while [ "$i" -lt $(($2 * 10)) ]; do
		[ "$(get zwave/slave-a/provisioning | json "$1" 2>/dev/null)" = True ] &&
			return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
out=$(prov "{\"action\":\"add\",\"qr\":\"$qr12\"}")
check "SmartStart at the node limit: the code is listed (202)" grep -q '^202' <<<"$out"
check "SmartStart at the node limit: blocked, in words, not listening" \
	wait_prov "j['smartstart'] == {'listening': False, 'blocked': 'the licence allows 4 Z-Wave nodes and 4 are included'} and [e['state'] for e in j['entries']] == ['pending']" 10
check "SmartStart at the node limit: the stick is not asked to listen" \
	test "$(count_log "$Z" 'zwsim: add mode 0x49')" -eq 0

cp "$L/plain.pem" "$lic"
hup
check "SIGHUP reads the licence for 5 nodes, no features" \
	wait_count "$M" 'licence: valid for "Test Home"' 2 5
out=$(incl '{"action":"include","timeout":60}')
check "room for one more: include accepted (202)" grep -q '^202' <<<"$out"
check "the master says it goes without security" wait_log "$M" \
	'zwave: include on slave slave-a requested by admin \(without security: the licence has no secure-zwave\)' 5
check "the stick is asked to add a node" \
	wait_log "$Z" 'zwsim: add mode 0xc1 callback [1-9]' 5

# 2. without secure-zwave, an S0 lock (hd-zwsim's zwsim_s0.c) joins
zw join 6 40 98 72 86 84
check "the lock is added as node 6" wait_log "$M" 'zwave include: done, node 6' 20
check "the slave includes it without security, and says why" wait_log "$S" \
	'zwave: node 6 lists S0, but the master.s licence allows no secure inclusion now: included without security' 10
check "the master hears its interview is complete" \
	wait_log "$M" 'zwave include: interviewed, node 6' 20
check "SmartStart without secure-zwave: blocked, in words, not listening" \
	wait_prov "j['smartstart'] == {'listening': False, 'blocked': 'the licence has no secure-zwave (SmartStart includes with S2 only)'}" 10
check "SmartStart without secure-zwave: the stick was never asked to listen" \
	test "$(count_log "$Z" 'zwsim: add mode 0x49')" -eq 0
prov "{\"action\":\"remove\",\"dsk\":\"$d12\"}" >/dev/null
check "the SmartStart code removed" wait_prov "j['entries'] == []" 10
check "the API's node list shows it with security none" \
	test "$(security 6)" = "['none']"
refused "5 nodes of 5" "the licence allows 5 Z-Wave nodes and 5 are included"
check "no S0 bootstrap was tried, not after the interview either" \
	test "$(count_log "$S" 'node 6: secure inclusion')" -eq 0 -a \
	"$(count_log "$Z" 'node 6: network key received')" -eq 0
check "... and the node list still says none" test "$(security 6)" = "['none']"

# ... with secure-zwave (and room): the same lock gets S0
incl '{"action":"exclude"}' >/dev/null
check "exclusion ready" wait_log "$Z" 'zwsim: remove mode 0xc1' 5
check "... and the master says so" wait_state ready 10
zw leave 6
check "node 6 excluded" wait_log "$M" 'zwave exclude: done, node 6' 10
cp "$L/valid.pem" "$lic"
hup
check "SIGHUP reads the licence with secure-zwave" \
	wait_count "$M" 'licence: valid for "Test Home"' 3 5
out=$(incl '{"action":"include","timeout":60}')
check "include accepted (202)" grep -q '^202' <<<"$out"
check "the master asks for it with security" \
	wait_log "$M" 'zwave: include on slave slave-a requested by admin$' 5
check "the stick is asked to add a node again" \
	wait_count "$Z" 'zwsim: add mode 0xc1 callback [1-9]' 2 5
zw join 6 40 98 72 86 84
check "the lock is added as node 6 again" \
	wait_count "$M" 'zwave include: done, node 6' 2 20
check "its secure inclusion starts" \
	wait_log "$S" 'zwave: node 6: secure inclusion \(S0\)' 10
check "the lock takes the network key" \
	wait_log "$Z" 'node 6: network key received' 15
check "granted S0" wait_log "$S" 'zwave: node 6: S0 key granted' 15
check "interviewed" wait_count "$M" 'zwave include: interviewed, node 6' 2 20
check "the API's node list shows it with s0" test "$(security 6)" = "['s0']"
check "the slave never said 'without security' this time" \
	test "$(count_log "$S" 'included without security')" -eq 1

# ... and once more, as a lock that had S0 (it forgets the key on leaving)
incl '{"action":"exclude"}' >/dev/null
check "exclusion ready again" wait_count "$Z" 'zwsim: remove mode 0xc1' 2 5
check "... and the master says so again" wait_state ready 10
zw leave 6
check "the S0 lock excluded" wait_count "$M" 'zwave exclude: done, node 6' 2 10
check "... and it forgets its network key" \
	wait_log "$Z" 'zwsim: node 6: network key forgotten' 5
incl '{"action":"include","timeout":60}' >/dev/null
check "the stick is asked to add a node a third time" \
	wait_count "$Z" 'zwsim: add mode 0xc1 callback [1-9]' 3 5
zw join 6 40 98 72 86 84
check "included again" wait_count "$M" 'zwave include: interviewed, node 6' 3 20
check "granted S0 again" wait_count "$S" 'zwave: node 6: S0 key granted' 2 15
check "the node list shows s0 again" test "$(security 6)" = "['s0']"

# 3. limited mode: the licence expired 40 days ago, grace over
echo $((440 * day)) >"$HD_LICENCE_CLOCK"
hup
check "grace over: limited mode" \
	wait_log "$M" 'licence: limited mode \(expired, grace period over\)' 5
check "the slave stays online" kill -0 "$(pid_of slave-a)"
refused "limited mode" "the licence allows 0 Z-Wave nodes and 5 are included"
check "the included nodes are still listed" test "$(nodes)" = "[2, 3, 4, 5, 6]"
exec 3>&-
finish
