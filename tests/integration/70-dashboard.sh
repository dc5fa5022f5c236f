#!/usr/bin/env bash
# The dashboard in a real browser: headless Chromium driven by
# playwright-core (tests/browser/dashboard.mjs) against a master and two
# slaves with simulated hardware, through real HTTPS. Log in, switch a
# lamp and see the state the slave confirmed, watch a sensor change
# live, see a probe appear in the security panel, see a slave go
# offline and come back, survive a dropped stream, fit a phone's screen.
# Screenshots of failures land in the kept log folder.
. "$(dirname "$0")/lib.sh"

chromium=${HD_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ] || ! command -v node >/dev/null; then
	echo "skip - $tname: no $chromium or node (make deps installs them)"
	exit 0
fi
if ! "$top/tests/browser/install.sh" >"$work/npm.log" 2>&1; then
	echo "skip - $tname: playwright-core not installable ($(tail -1 "$work/npm.log"))"
	exit 0
fi

# A small events file for the scheduler's panel.
E=$work/home.events
cat >"$E" <<'EOT'
mode house { home away } counter scenes timestamp scene-at
event morning { when at 07:00 do notify "good morning" }
event scene { do notify "scene ran" count scenes stamp scene-at }
event sunrise-a { when sunrise on sun,tue,thu,sat do notify "a" }
event sunrise-b { when sunrise on mon,wed,fri do notify "b" }
event holiday-lamp { site holiday when at 21:00 do set slave-barn/zw:2:0.on = on }
EOT
# Berlin: a sunrise every day, so exactly one of sunrise-a and sunrise-b
# has none today, for not being one of its days. holiday-lamp: a site in
# another zone (docs/SCHEDULER.md#sites) naming the Barn's switch, so
# local-capable on slave-barn and flagged as not the Barn's site.
web_master "events $E" "latitude 52.52" "longitude 13.405" \
	"site-place holiday 41.67 -70.0 America/New_York"
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
check "an admin to log in with" test "${#pw}" -eq 20
# House also has simulated ADC channels and GPIO lines, as in the demo.
slave_conf slave-house House "$port" "$G" \
	"adc-chip adc0 type ads1115 bus 1 address 0x48 backend sim" \
	"adc-channel water chip adc0 input a0 gain 4.096 rate 128 interval 1000 scale 40 unit % room Cellar" \
	"gpio-chip gpio0 backend sim" \
	"gpio-output pump chip gpio0 line 17 active-low safe off room Cellar" \
	"gpio-input button chip gpio0 line 4 debounce 30 bias pull-up active-low room Hall"
# Barn has a Z-Wave stick (hd-zwsim): switch, contact with battery,
# dimmer, multilevel sensor. The browser test writes to its control FIFO.
trap '' PIPE
mkfifo "$work/zwctl"
"$bin/hd-zwsim" -p "$work/pty" <"$work/zwctl" >>"$work/zwsim.log" 2>&1 &
pids+=($!)
disown $!
exec 3>"$work/zwctl"
check "Z-Wave stick simulator ready" wait_log "$work/zwsim.log" 'zwsim: ready' 10
slave_conf slave-barn Barn "$port" "$G" "zwave port $(cat "$work/pty")"
start hd-master master
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10
start hd-slave slave-house
start hd-slave slave-barn
check "both slaves are online" wait_count "$M" 'slave slave-(house|barn) .*online' 2 15
check "the Z-Wave nodes are interviewed" \
	wait_count "$work/slave-barn.log" 'zwave: node [2-5]: [0-9]+ command classes' 4 30

# The dashboard's own additions to the API, through real HTTPS.
A=$U/api/v1
post() {	# post PATH BODY [curl args]: the status, then the body
	local p=$1 b=$2; shift 2
	hcurl -o "$work/body" -w '%{http_code}\n' -H 'Content-Type: application/json' \
		--data-binary "$b" "$@" "$A/$p"
	cat "$work/body"
}
login() {	# login NAME PASSWORD: sets sess and csrf
	post login "{\"name\":\"$1\",\"password\":\"$2\"}" -D "$work/head" >"$work/login"
	sess=$(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')
	csrf=$(grep -Eo '"csrf":"[0-9a-f]{64}"' "$work/login" | cut -d'"' -f4)
}
login admin "$pw"
out=$(hcurl -H "Cookie: $sess" "$A/cluster")
check "GET cluster: the master's id, term and certificate expiry" \
	grep -Eq '"master":\{"id":"master","term":1,"version":"[0-9.]+","started_ms":[1-9][0-9]+,"cert_not_after_ms":[1-9][0-9]+\}' <<<"$out"
check "GET cluster: each online slave with a round trip and its certificate's expiry" \
	test "$(grep -Eo '"online":true,[^}]*"rtt_ms":[0-9]+,"cert_not_after_ms":[1-9][0-9]+' <<<"$out" | wc -l)" = 2
out=$(post users '{"name":"vera","role":"viewer","password":"viewer-password-1","grants":[{"site":"*","device":"","access":"view"}]}' \
	-H "Cookie: $sess" -H "X-CSRF-Token: $csrf")
check "a viewer to compare with" grep -q '^201' <<<"$out"
login vera viewer-password-1
check "GET cluster as a viewer: 403" test "$(hcurl -o /dev/null -w '%{http_code}' -H "Cookie: $sess" "$A/cluster")" = 403
check "GET cluster without a session: 401" test "$(hcurl -o /dev/null -w '%{http_code}' "$A/cluster")" = 401

spki=$(openssl x509 -in "$G/web.crt" -pubkey -noout | openssl pkey -pubin -outform der |
	openssl dgst -sha256 -binary | base64)
HD_TNAME=$tname HD_VIEWER=vera:viewer-password-1 HD_SPKI=$spki HD_URL=$U/ HD_USER=admin HD_PASSWORD=$pw HD_SHOTS=$work \
HD_OFF_PID=$(pid_of slave-barn) HD_OFF_SITE=Barn HD_EVENTS=$E \
HD_SLAVE_LOG=$work/slave-house.log HD_MASTER_LOG=$M HD_ZWCTL=$work/zwctl \
	timeout 600 node "$top/tests/browser/dashboard.mjs" 2>"$work/browser.log"
rc=$?
[ "$rc" -eq 0 ] || failures=$((failures + 1))
check "the browser run ended by itself (status $rc)" test "$rc" -le 1
ls "$work"/*.png >/dev/null 2>&1 && echo "# screenshots: $work"
finish
