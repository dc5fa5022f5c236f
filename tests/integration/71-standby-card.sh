#!/usr/bin/env bash
# The standby as one master can show it: none configured, then (the
# master restarted with master lines naming a standby) configured and
# not connected,
# through GET /api/v1/cluster and in a real browser (the Standby card on
# the Overview, the standby's row in the Cluster view,
# tests/browser/standby.mjs). The session made before the restart still
# works after it: sessions are a state file now (docs/FAILOVER.md).
. "$(dirname "$0")/lib.sh"

web_master
# The master lines naming a standby, checked with -n before anything
# starts (tests/integration/15-standby.sh checks the lines in full).
sbport=$(free_port)
cp "$work/master.conf" "$work/ha.conf"
printf 'master master 127.0.0.1:%s\nmaster standby-1 127.0.0.1:%s\n' \
	"$port" "$sbport" >>"$work/ha.conf"
check "hd-master -n takes master lines naming a standby" \
	quiet "$bin/hd-master" -n -f "$work/ha.conf"
admin_pw
check "an admin to log in with" test "${#pw}" -eq 20
start hd-master master
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10
A=$U/api/v1
admin_session
out=$(hcurl -H "Cookie: $sess" "$A/cluster")
check "GET cluster: no standby configured" \
	grep -q '"standby":{"state":"none","id":null,"detail":"","since_ms":[1-9][0-9]*,"term":1,"lag":null,"last_takeover_ms":null,"last_takeover_term":null}' <<<"$out"
check "the session is saved in the state-dir" test -s "$work/state-master/sessions"

browser() {	# browser EXPECT: the browser checks of that state
	local spki
	spki=$(openssl x509 -in "$G/web.crt" -pubkey -noout | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64)
	HD_TNAME=$tname HD_SPKI=$spki HD_URL=$U/ HD_USER=admin HD_PASSWORD=$pw HD_SHOTS=$work \
	HD_EXPECT=$1 HD_STANDBY=standby-1 \
		timeout 300 node "$top/tests/browser/standby.mjs" 2>>"$work/browser.log"
	local rc=$?
	[ "$rc" -eq 0 ] || failures=$((failures + 1))
	check "the browser run ($1) ended by itself (status $rc)" test "$rc" -le 1
}
have_browser=1
chromium=${HD_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ] || ! command -v node >/dev/null ||
    ! "$top/tests/browser/install.sh" >"$work/npm.log" 2>&1; then
	echo "skip - $tname: browser checks (no $chromium, node or playwright-core)"
	have_browser=0
fi
[ "$have_browser" = 1 ] && browser none

# The same master with a standby configured.
mpid=$(pid_of master)
kill -TERM "$mpid"
check "master stops" wait_log "$M" 'master master stopped' 10
cp "$work/ha.conf" "$work/master.conf"
: >"$M"
start hd-master master
check "web process restarts" wait_log "$M" 'web process [0-9]+ serving' 10
out=$(hcurl -H "Cookie: $sess" "$A/cluster")
check "the session made before the restart still works" grep -q '"standby":' <<<"$out"
check "GET cluster: the standby configured, connecting" \
	grep -q '"standby":{"state":"connecting","id":"standby-1","detail":"","since_ms":[1-9][0-9]*,"term":1,"lag":null,' <<<"$out"
hcurl -X POST -H "Cookie: $sess" -H "X-CSRF-Token: $csrf" "$A/logout" >/dev/null
check "a logout is saved too: the session is refused after it" \
	test "$(hcurl -o /dev/null -w '%{http_code}' -H "Cookie: $sess" "$A/cluster")" = 401
[ "$have_browser" = 1 ] && browser connecting
finish
