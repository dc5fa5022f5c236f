#!/usr/bin/env bash
# Licences in a running master (docs/LICENSING.md): the slave limit at
# registration, a new licence by file + SIGHUP and by the API, refused
# uploads, grace and limited mode entered and left with a simulated clock,
# and that the production binary ignores the test root.
#
# hd-master-testroot is hd-master with tests/tools/licence_root_test.c:
# its vendor root is $HD_LICENCE_ROOT and its licence clock is shifted by
# the seconds in $HD_LICENCE_CLOCK.
. "$(dirname "$0")/lib.sh"

L=$work/lic
"$top/tests/integration/gen-test-licences.sh" "$L" >/dev/null ||
	{ not_ok "generate test licences"; finish; }
I=$L/inst
"$top/pki/hd-pki" issue "$I" web web >/dev/null
export HD_LICENCE_ROOT=$L/vendor/root.crt
export HD_LICENCE_CLOCK=$work/clock
echo 0 >"$HD_LICENCE_CLOCK"
day=86400
port=$(free_port)
wport=$(free_port)
lic=$work/licence.pem
cp "$L/one.pem" "$lic"
master_conf master "$port" "$I" master "licence $lic" \
	"web-listen 127.0.0.1:$wport" "web-cert $I/web.crt" "web-key $I/web.key"
for s in slave-a slave-b slave-c; do
	slave_conf "$s" "Site $s" "$port" "$I"
done
M=$work/master.log
U=https://127.0.0.1:$wport/api/v1
hcurl() { curl -s --cacert "$I/ca.crt" --max-time 10 "$@"; }
hup() { kill -HUP "$(pid_of master)"; }
# clock DAYS: move the licence clock, then make the master look again.
clock() { echo $(($1 * day)) >"$HD_LICENCE_CLOCK"; hup; }

out=$("$bin/hd-master-testroot" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")

check "hd-master -n checks the licence file too" grep -q \
	'licence: valid for "Test Home"' <<<"$("$bin/hd-master-testroot" -n -f "$work/master.conf" 2>&1)"
check "... and says why it would refuse one" grep -q 'another installation' \
	<<<"$(sed "s|^licence .*|licence $L/wrong.pem|" "$work/master.conf" >"$work/n.conf"
	"$bin/hd-master-testroot" -n -f "$work/n.conf" 2>&1)"

# 1. A one-slave licence: the second slave is refused, with the reason
start hd-master-testroot master
check "the licence is valid at start-up" \
	wait_log "$M" 'licence: valid for "Test Home"' 5
start hd-slave slave-a
check "slave-a registers" wait_log "$M" 'slave slave-a .* online' 10
start hd-slave slave-b
check "slave-b is refused by the licence, with the reason" \
	wait_log "$M" 'slave slave-b .* refused: the licence allows 1 slave online and 1 is' 10
check "slave-b is told why (Refusal LICENCE)" \
	wait_log "$work/slave-b.log" 'refused: LICENCE: the licence allows 1 slave' 10
check "slave-a stays online" test "$(count_log "$M" 'slave-a .* offline')" -eq 0

# 2. A new licence by file + SIGHUP lets slave-b in
cp "$L/valid.pem" "$lic"
hup
check "SIGHUP reads the new licence" \
	wait_log "$M" 'licence: valid for "Test Home" .*, 400 days left' 5
check "slave-b gets in at its next try" \
	wait_log "$M" 'slave slave-b .* online' 40

# 3. The API
post() {	# post METHOD PATH BODY [curl args]: the status, then the body
	local m=$1 p=$2 b=$3; shift 3
	hcurl -o "$work/body" -w '%{http_code}\n' -X "$m" \
		-H 'Content-Type: application/json' --data-binary "$b" "$@" "$U/$p"
	cat "$work/body"
}
out=$(post POST login "{\"name\":\"admin\",\"password\":\"$pw\"}" -D "$work/head")
csrf=$(grep -Eo '"csrf":"[0-9a-f]{64}"' <<<"$out" | cut -d'"' -f4)
sess=$(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: //p')
sess=${sess%%;*}
auth=(-H "Cookie: $sess" -H "X-CSRF-Token: $csrf")
check "logged in as admin" test -n "$csrf"
get=$(hcurl -H "Cookie: $sess" "$U/licence")
check "GET licence: status, customer, days left, limits, features" \
	grep -q '"status":"valid","installed":true,"customer":"Test Home",.*"days_left":400,.*"limits":{"slaves":2,"zwave_nodes":50},"features":\["secure-zwave","app-api"\]' <<<"$get"
check "GET licence without a session: 401" \
	test "$(hcurl -o /dev/null -w '%{http_code}' "$U/licence")" = 401
pem() { python3 -c 'import json,sys; print(json.dumps({"pem": open(sys.argv[1]).read()}))' "$1"; }
pems() { python3 -c 'import json,sys; t=open(sys.argv[1]).read(); print(json.dumps({"pem": [t[:700], t[700:]]}))' "$1"; }
out=$(post PUT licence "$(pem "$L/wrong.pem")" "${auth[@]}")
check "PUT another installation's licence: 422 with the reason" \
	grep -q '^422' <<<"$out"
check "... the reason names it" grep -q 'another installation' <<<"$out"
out=$(post PUT licence "$(pem "$L/bitflip.pem")" "${auth[@]}")
check "PUT a licence with a flipped signature bit: 422" grep -q '^422' <<<"$out"
out=$(post PUT licence '{"pem":"-----BEGIN CERTIFICATE-----\nAAAA"}' "${auth[@]}")
check "PUT garbage: 422" grep -q '^422' <<<"$out"
out=$(post PUT licence '{"pem":5}' "${auth[@]}")
check "PUT a number: 400" grep -q '^400' <<<"$out"
out=$(post PUT licence "$(pem "$L/renewal.pem")" -H "Cookie: $sess")
check "PUT without the CSRF token: 403" grep -q '^403' <<<"$out"
check "refused uploads leave the file alone" cmp -s "$lic" "$L/valid.pem"
out=$(post PUT licence "$(pems "$L/renewal.pem")" "${auth[@]}")
check "PUT the renewal (as an array of strings): 200, its limits" \
	grep -q '"limits":{"slaves":3,"zwave_nodes":100}' <<<"$out"
check "... written to the licence file" cmp -s "$lic" "$L/renewal.pem"
check "... and logged" wait_log "$M" 'api: admin installed a new licence' 2

# 4. Expiry with a simulated clock: expiring, grace, limited, and back
clock 790
check "10 days before the end: expiring, warned" \
	wait_log "$M" 'licence: for "Test Home" expires in 1[01] days; renew it' 5
check "GET says expiring" grep -q '"status":"expiring"' \
	<<<"$(hcurl -H "Cookie: $sess" "$U/licence")"
clock 805
check "after the end: grace, warned" \
	wait_log "$M" 'licence: expired: grace period, 2[56] days left' 5
clock 835
check "grace over: limited mode, warned" \
	wait_log "$M" 'licence: limited mode \(expired, grace period over\)' 5
get=$(hcurl -H "Cookie: $sess" "$U/licence")
check "GET says limited, no features" \
	grep -q '"status":"limited".*"features":\[\]' <<<"$get"
start hd-slave slave-c
check "limited mode: a new slave is refused, with the reason" \
	wait_log "$M" 'slave slave-c .* refused: no valid licence \(limited mode\)' 10
check "limited mode: the slaves already served stay online" \
	test "$(count_log "$M" 'slave-[ab] .* offline')" -eq 0
kill "$(pid_of slave-a)"
check "slave-a stops" wait_log "$M" 'slave slave-a .* offline' 10
start hd-slave slave-a
check "limited mode: a known slave that restarts is admitted again" \
	wait_count "$M" 'slave slave-a .* online' 2 15
clock 0
check "the clock set right again: valid, limited mode left" \
	wait_log "$M" 'licence: valid for "Test Home" .*, 80[01] days left' 5
check "slave-c gets in once the licence is good" \
	wait_log "$M" 'slave slave-c .* online' 40

# 5. A bad file does not take the licence away; removing the file does
cp "$L/garbage.pem" "$lic"
hup
check "a garbage file over a good licence: the licence stays in force" \
	wait_log "$M" 'licence: .*licence.pem: licence file holds no certificate; licence [0-9A-F]+ stays in force' 5
check "... and the API still says valid, with the problem" \
	grep -q '"status":"valid","installed":true.*"problem":"licence file holds no certificate' \
	<<<"$(hcurl -H "Cookie: $sess" "$U/licence")"
rm -f "$lic"
hup
check "licence removed: warned, grace from the installation CA" \
	wait_log "$M" 'licence: none installed: grace period' 5
check "no slave is dropped over it" \
	test "$(count_log "$M" 'slave-[bc] .* offline')" -eq 0

# 6. The production binary ignores HD_LICENCE_ROOT: no test-root bypass
cp "$L/valid.pem" "$work/prod.pem"
p2=$(free_port)
master_conf prod "$p2" "$I" master "licence $work/prod.pem"
start hd-master prod
check "hd-master refuses a licence from the test vendor" \
	wait_log "$work/prod.log" 'licence: .*prod.pem: licence refused: unable to get local issuer certificate' 5
check "... and runs in grace, not dark" \
	wait_log "$work/prod.log" 'licence: none installed: grace period' 5

finish
