#!/usr/bin/env bash
# The people using it at a takeover (docs/FAILOVER.md, "The people using
# it"; docs/SECURITY.md, "Hand-over"): two masters elected by two slaves
# (as in 16-takeover.sh), their dashboards on two hosts, m1 on 127.0.0.1
# and m2 on 127.0.0.2 (a cookie for one is never sent to the other).
# Through curl: who is master (GET /api/v1/master, the standby's 503
# naming it, CORS only for the master-web origins, the CSP naming them),
# an app token that works on either master's URL. In headless Chromium
# (tests/browser/handover.mjs): logged in on m1, m1 SIGKILLed, the page
# ends on m2, live, with the toast, no password typed, and a switch on
# the dashboard executed by the slave.
. "$(dirname "$0")/lib.sh"

L=$work/lic
"$top/tests/integration/gen-test-licences.sh" "$L" >/dev/null ||
	{ not_ok "generate test licences"; finish; }
I=$L/inst
for n in m1 m2; do "$top/pki/hd-pki" issue "$I" standby "$n" >/dev/null; done
"$top/pki/hd-pki" issue "$I" web web --san IP:127.0.0.1,IP:127.0.0.2 >/dev/null
export HD_LICENCE_ROOT=$L/vendor/root.crt
export HD_LICENCE_CLOCK=$work/clock
echo 0 >"$HD_LICENCE_CLOCK"
p1=$(free_port); p2=$(free_port); w1=$(free_port); w2=$(free_port)
U1=https://127.0.0.1:$w1/ U2=https://127.0.0.2:$w2/
cp "$L/renewal.pem" "$work/licence.pem"	# standby, app-api
ML=("master m1 127.0.0.1:$p1" "master m2 127.0.0.1:$p2")
SL=("slave slave-a" "slave slave-b")
master_conf m1 "$p1" "$I" m1 "licence $work/licence.pem" \
	"web-listen 127.0.0.1:$w1" "web-cert $I/web.crt" "web-key $I/web.key" \
	"${ML[@]}" "${SL[@]}" "master-web m1 $U1" "master-web m2 $U2"
master_conf m2 "$p2" "$I" m2 "licence $work/licence.pem" \
	"web-listen 127.0.0.2:$w2" "web-cert $I/web.crt" "web-key $I/web.key" \
	"${ML[@]}" "${SL[@]}" "master-web m1 $U1" "master-web m2 $U2"
for s in a b; do
	slave_conf "slave-$s" "Site ${s^^}" "$p1" "$I"
	sed -i '/^master /d' "$work/slave-$s.conf"
	printf '%s\n' "${ML[@]}" >>"$work/slave-$s.conf"
done
M1=$work/m1.log M2=$work/m2.log
mstart() { "$bin/hd-master-testroot" -v -f "$work/$1.conf" >>"$work/$1.log" 2>&1 &
	pids+=($!); disown $!; printf -v "pid_$1" '%s' "$!"; }
hcurl() { curl -s --cacert "$I/ca.crt" --max-time 10 "$@"; }
A=${U1}api/v1

# 1. m1 elected, m2 its synchronous standby
out=$("$bin/hd-master" -f "$work/m1.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
mstart m1
for s in a b; do start hd-slave "slave-$s"; done
check "m1 is elected master of term 2" wait_log "$M1" \
	'failover: m1 is master of term 2 \(elected' 15
mstart m2
check "m2 joins m1's synchronous set" wait_log "$M1" \
	'failover: standby m2 in the synchronous set' 15
check "both web processes serve" eval 'wait_log "$M1" "web process [0-9]+ serving" 10 &&
	wait_log "$M2" "web process [0-9]+ serving" 10'

# 2. who is master, asked from anywhere; CORS for the master-web origins only
out=$(hcurl -D "$work/h1" "${A}/master")
check "GET master on m1: 200, m1, term 2, its address" \
	test "$out" = '{"master":"m1","term":2,"url":"'"$U1"'"}'
check "... the policy lets the dashboard ask both origins" grep -q \
	"Content-Security-Policy: default-src 'self'; connect-src 'self' https://127.0.0.1:$w1 https://127.0.0.2:$w2; img-src" "$work/h1"
hcurl -D "$work/h2" -o /dev/null -H "Origin: https://127.0.0.2:$w2" "${A}/master"
check "... m2's dashboard may read it (CORS, that origin exactly)" grep -qx \
	$'Access-Control-Allow-Origin: https://127.0.0.2:'"$w2"$'\r' "$work/h2"
check "... without credentials" eval '! grep -qi "Access-Control-Allow-Credentials" "$work/h2"'
hcurl -D "$work/h3" -o /dev/null -H "Origin: https://evil.example" "${A}/master"
check "... another origin may not" eval '! grep -qi "Access-Control-Allow-Origin" "$work/h3"'
hcurl -D "$work/h4" -o /dev/null -H "Origin: https://127.0.0.2:$w2" "${A}/health"
check "... nor any other path" eval '! grep -qi "Access-Control-Allow-Origin" "$work/h4"'
out=$(hcurl -w '\n%{http_code}' -H "Origin: https://127.0.0.1:$w1" -D "$work/h5" "${U2}api/v1/master")
check "GET master on the standby m2: 503 naming m1 and its address" \
	test "$out" = '{"error":"not master","reason":"this node is a standby; ask the master","master":"m1","url":"'"$U1"'"}
503'
check "... readable by m1's dashboard" grep -qx \
	$'Access-Control-Allow-Origin: https://127.0.0.1:'"$w1"$'\r' "$work/h5"

# 3. an app token works on either master's URL
login admin "$pw"; AS=$S AC=$C
out=$(call POST tokens '{"name":"kitchen tablet"}' -H "$AS" -H "$AC")
tok=$(grep -Eo 'hdt_[0-9a-f]{64}' <<<"$out")
check "an app token made on m1" test -n "$tok"
check "the token works on m1" test "$(hcurl -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $tok" "$A/devices")" = 200
out=$(hcurl -w '\n%{http_code}' -H "Authorization: Bearer $tok" "${U2}api/v1/devices")
check "on the standby m2 the token gets 503 naming m1 and its address" \
	grep -q '^{"error":"not master",.*"master":"m1","url":"'"$U1"'"}$' <<<"$out"
out=$(call POST handover '{}' -H "$AS" -H "$AC")
check "a hand-over credential is for sessions, not tokens" test "$(hcurl -o /dev/null \
	-w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' \
	-H "Authorization: Bearer $tok" "$A/handover")" = 400
cred=$(grep -Eo '"credential":"[0-9a-f]{64}"' <<<"$out" | cut -d'"' -f4)
check "a session gets one, with both masters" grep -q \
	'"masters":\[{"node":"m1","url":"'"$U1"'"},{"node":"m2","url":"'"$U2"'"}\]' <<<"$out"
out=$(call POST handover/exchange "{\"credential\":\"$cred\"}")
check "while m1 is master it is worth nothing, even on m1" grep -q '^401' <<<"$out"

# 4. the browser: log in on m1, SIGKILL m1, end on m2
same_sessions() {
	local i
	for ((i = 0; i < 100; i++)); do
		cmp -s "$work/state-m1/sessions" "$work/state-m2/sessions" && return 0
		sleep 0.1
	done
	return 1
}
check "the sessions file reached m2" same_sessions
chromium=${HD_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ] || ! command -v node >/dev/null ||
    ! "$top/tests/browser/install.sh" >"$work/npm.log" 2>&1; then
	echo "skip - $tname: browser checks (no $chromium, node or playwright-core)"
	kill -KILL "$pid_m1"
else
	spki=$(openssl x509 -in "$I/web.crt" -pubkey -noout | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64)
	HD_TNAME=$tname HD_SPKI=$spki HD_URL_A=$U1 HD_URL_B=$U2 HD_USER=admin \
	HD_PASSWORD=$pw HD_SHOTS=$work HD_PID_A=$pid_m1 HD_NODE_A=m1 HD_NODE_B=m2 \
	HD_TERM_B=3 HD_SESS_A=$work/state-m1/sessions HD_SESS_B=$work/state-m2/sessions \
	HD_SLAVE_LOG=$work/slave-a.log \
		timeout 300 node "$top/tests/browser/handover.mjs" 2>>"$work/browser.log"
	rc=$?
	[ "$rc" -eq 0 ] || failures=$((failures + 1))
	check "the browser run ended by itself (status $rc)" test "$rc" -le 1
fi
# Term 3, or a later one when a round of votes failed under load.
check "m2 is master (term 3 or later)" wait_log "$M2" 'failover: m2 is master of term [0-9]+ \(elected' 10
t2=$(grep -Eo 'm2 is master of term [0-9]+' "$M2" | tail -1 | awk '{print $NF}')
check "m2 logged the hand-over, in its term" grep -q "api: admin handed over to m2 (term $t2)" "$M2"

# 5. after the takeover: the token works on m2's URL as it is
check "the app token works on m2" test "$(hcurl -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $tok" "${U2}api/v1/devices")" = 200
for o in https://evil.example "https://127.0.0.1:$w1"; do
	out=$(A=${U2}api/v1 call POST handover/exchange "{\"credential\":\"$cred\"}" -H "Origin: $o")
	check "an exchange from another origin ($o) is refused (403)" grep -q '^403' <<<"$out"
done
out=$(A=${U2}api/v1 call POST handover/exchange "{\"credential\":\"$cred\"}")
check "m1's credential made by curl: good once on m2 after the takeover" \
	grep -q '^200' <<<"$out"
out=$(A=${U2}api/v1 call POST handover/exchange "{\"credential\":\"$cred\"}")
check "... and only once" grep -q '^401' <<<"$out"

# 6. A page opened while its master is down (tests/browser/handpage.mjs):
# m1 back as m2's synchronous standby (the slaves hold the fence naming
# both, else m1 could not be elected), then the browser kills m2.
if [ -n "${spki:-}" ] && [ "$rc" -le 1 ]; then
	t2=$(grep -Eo 'm2 is master of term [0-9]+' "$M2" | tail -1 | awk '{print $NF}')
	fence="vote: fence term $t2 seq [0-9]+ allows (m1,m2|m2,m1)\$"
	mstart m1
	check "m1 comes back as m2's standby" wait_log "$M1" 'standby: following master m2' 20
	for s in a b; do
		check "slave-$s holds the fence allowing m1 again" 			wait_log "$work/slave-$s.log" "$fence" 20
	done
	HD_TNAME=$tname HD_SPKI=$spki HD_URL_A=$U2 HD_URL_B=$U1 HD_USER=admin \
	HD_PASSWORD=$pw HD_SHOTS=$work HD_PID_A=$pid_m2 HD_NODE_B=m1 \
	HD_TERM_B=$((t2 + 1)) HD_SESS_A=$work/state-m2/sessions HD_SESS_B=$work/state-m1/sessions \
		timeout 300 node "$top/tests/browser/handpage.mjs" 2>>"$work/browser.log"
	rc=$?
	[ "$rc" -eq 0 ] || failures=$((failures + 1))
	check "the page-opened run ended by itself (status $rc)" test "$rc" -le 1
	check "m1 is master again (a term after m2's)" wait_count "$M1" \
		'failover: m1 is master of term [0-9]+ \(elected' 2 10
fi
finish
