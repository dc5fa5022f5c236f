#!/usr/bin/env bash
# The security panel through real HTTPS: probes seen by the web process
# reach the master's counters, series, top list and recent list; bans are
# listed and lifted by an admin (the banned client is served again at
# once, and after a restart); every route refuses a non-admin (403) and
# an anonymous caller (401); /metrics is for allow-listed scrapers and
# admins only.
. "$(dirname "$0")/lib.sh"

web_master "allow 127.0.0.5"
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
check "an admin and a plain user exist" \
	"$bin/hd-useradd" "$work/state-master" bob user "bob's long password"
start hd-master master
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 5
A=$U/api/v1
probe() { python3 "$top/tests/tools/probe.py" 127.0.0.1 "$wport" "$@"; }
code() { hcurl -o "$work/body" -w '%{http_code}' "$@"; }
# jv EXPR: a Python expression on the last answer's JSON (d), printed.
jv() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$work/body" "$1"; }
login() {	# login NAME PASSWORD: prints "cookie csrf"
	hcurl -D "$work/head" -o "$work/login" -H 'Content-Type: application/json' \
		--data-binary "{\"name\":\"$1\",\"password\":\"$2\"}" "$A/login"
	echo "$(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')" \
	    "$(grep -Eo '"csrf":"[0-9a-f]{64}"' "$work/login" | cut -d'"' -f4)"
}
read -r as ac < <(login admin "$pw")
read -r us uc < <(login bob "bob's long password")
check "both log in" test -n "$as" -a -n "$us" -a -n "$ac" -a -n "$uc"

# 1. Probes from two addresses: one banned, one not.
for i in 1 2 3 4 5; do probe 127.0.0.20 telnet >/dev/null; done
check "five probes ban 127.0.0.20" wait_log "$M" 'ban 127.0.0.20:[0-9]+ for 600 s' 5
probe 127.0.0.21 http >/dev/null
check "a banned address is refused" grep -q closed <<<"$(probe 127.0.0.20 http)"
wait_count "$M" 'probe class=' 6 5

# 2. Refusals
for r in probes bans recent; do
	check "GET security/$r anonymous: 401" test "$(code "$A/security/$r")" = 401
	check "GET security/$r as a user: 403" test "$(code -H "Cookie: $us" "$A/security/$r")" = 403
done
check "DELETE a ban as a user: 403" test "$(code -X DELETE -H "Cookie: $us" \
	-H "X-CSRF-Token: $uc" "$A/security/bans/127.0.0.20")" = 403
check "DELETE a ban without the CSRF token: 403" \
	test "$(code -X DELETE -H "Cookie: $as" "$A/security/bans/127.0.0.20")" = 403
check "still banned after the refusals" grep -q closed <<<"$(probe 127.0.0.20 http)"

# 3. What an admin sees
check "probes: 200" test "$(code -H "Cookie: $as" "$A/security/probes")" = 200
check "totals per class" grep -q '"totals":{"plain-http":1,"not-tls":5,' "$work/body"
check "the series: an hour by minute" test "$(jv 'd["series"]["step_s"], len(d["series"]["counts"]["silent"])')" = "(60, 60)"
check "... counting them" \
	test "$(jv 'sum(d["series"]["counts"]["plain-http"]), sum(d["series"]["counts"]["not-tls"])')" = "(1, 5)"
check "... in the last minutes" test "$(jv 'sum(d["series"]["counts"]["not-tls"][-2:])')" = 5
check "the top offender" grep -q '"top":\[{"addr":"127.0.0.20","probes":5,' "$work/body"
check "a day's series: 200 in 3-minute steps" \
	test "$(code -H "Cookie: $as" "$A/security/probes?minutes=1440")" = 200
check "... 480 points" test "$(jv 'd["series"]["step_s"], len(d["series"]["counts"]["bad-tls"]), sum(d["series"]["counts"]["plain-http"])')" = "(180, 480, 1)"
check "a bad step: 400" \
	test "$(code -H "Cookie: $as" "$A/security/probes?minutes=1440&step=1")" = 400
check "recent: 200" test "$(code -H "Cookie: $as" "$A/security/recent")" = 200
check "the newest probe first, with its first bytes" \
	grep -q '{"probes":\[{"time_ms":[0-9]*,"class":"plain-http","addr":"127.0.0.21","port":[0-9]*,"detail":"HTTP request","first":"GET / HT"' "$work/body"
check "the probe that banned says so" grep -q '"class":"not-tls","addr":"127.0.0.20",[^}]*"banned_s":600}' "$work/body"
check "bans: 200" test "$(code -H "Cookie: $as" "$A/security/bans")" = 200
check "one ban in force, with its level and times" \
	grep -Eq '"total":1,"bans":\[\{"addr":"127.0.0.20","until_ms":[0-9]+,"level":1,"last_ms":[0-9]+\}\]' "$work/body"

# 4. Unban
check "DELETE an address not banned: 404" test "$(code -X DELETE -H "Cookie: $as" \
	-H "X-CSRF-Token: $ac" "$A/security/bans/127.0.0.21")" = 404
check "DELETE a non-address: 400" test "$(code -X DELETE -H "Cookie: $as" \
	-H "X-CSRF-Token: $ac" "$A/security/bans/127.0.0.999")" = 400
check "DELETE the ban: 200" test "$(code -X DELETE -H "Cookie: $as" \
	-H "X-CSRF-Token: $ac" "$A/security/bans/127.0.0.20")" = 200
check "the answer names it" grep -q '{"unbanned":"127.0.0.20"}' "$work/body"
check "the master logs who lifted it" wait_log "$M" 'api: admin lifted the ban on 127.0.0.20' 3
check "the banned client is served again" \
	test "$(hcurl --interface 127.0.0.20 -o /dev/null -w '%{http_code}' "$U/api/v1/health")" = 200
check "the list is empty" test "$(code -H "Cookie: $as" "$A/security/bans")" = 200
check "... total 0" grep -q '"total":0,"bans":\[\]' "$work/body"
kill -TERM "$(pid_of master)"
wait_log "$M" 'master master stopped' 5
start hd-master master
wait_count "$M" 'web process [0-9]+ serving' 2 5
check "the lifted ban stays lifted after a restart" \
	test "$(hcurl --interface 127.0.0.20 -o /dev/null -w '%{http_code}' "$U/api/v1/health")" = 200
read -r as ac < <(login admin "$pw")	# sessions end with the master
read -r us uc < <(login bob "bob's long password")

# 5. /metrics: allow-listed scrapers, admins, nobody else.
check "/metrics anonymous: 401" test "$(code "$U/metrics")" = 401
check "/metrics as a user: 403" test "$(code -H "Cookie: $us" "$U/metrics")" = 403
check "/metrics as an admin: 200" test "$(code -H "Cookie: $as" "$U/metrics")" = 200
check "... Prometheus text" grep -q '^hd_web_requests_total [0-9]' "$work/body"
check "/metrics from an allow-listed scraper: 200" \
	test "$(code --interface 127.0.0.5 "$U/metrics")" = 200
check "... without any session" grep -q '^hd_web_handshakes_total [1-9]' "$work/body"
check "keep-alive goes on after an authorized /metrics" \
	test "$(hcurl -o /dev/null -o /dev/null -w '%{http_code}%{num_connects}' \
	-H "Cookie: $as" "$U/metrics" "$U/api/v1/health")" = "20012000"

# 6. A client that does not trust our certificate (a browser before its
# user clicks through the warning) aborts handshakes with an alert: each
# is logged, but weighs BAN_CERT_REJECT_WEIGHT, so a handful of them
# does not ban a person; five other probes would.
for i in 1 2 3 4 5 6 7 8; do
	curl -s -o /dev/null --max-time 5 --interface 127.0.0.30 \
		"https://127.0.0.1:$wport/" 2>/dev/null
done
check "each rejected certificate is logged as a probe" \
	wait_count "$M" 'probe class=bad-tls addr=127.0.0.30:.*(unknown ca|certificate unknown|bad certificate)' 8 10
check "eight of them do not ban the address" \
	test "$(count_log "$M" 'ban 127.0.0.30:')" = 0
check "the same client, trusting the CA now, is served" \
	test "$(code --interface 127.0.0.30 "$U/api/v1/health")" = 200
finish
