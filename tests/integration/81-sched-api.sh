#!/usr/bin/env bash
# The scheduler's API through real HTTPS (docs/API.md#events-and-modes):
# the web process forwards the calls, the master answers from the running
# schedule: the list with next and last firing, run/disable/enable as an
# admin (CSRF checked), a reload with a broken file refused with its
# errors while the old schedule runs on, a good reload, modes read and set.
. "$(dirname "$0")/lib.sh"

gen_pki
G=$work/pki/good
"$top/pki/hd-pki" issue "$G" web web >/dev/null
port=$(free_port)
wport=$(free_port)
E=$work/home.events
cat >"$E" <<'EOT'
mode house { home away }
event morning { when at 07:00 do notify "good morning" }
event tick { when every 1 s if house is home do notify "tick" }
event scene { do notify "scene ran" }
event beat { when every 1 s do notify "beat" }
EOT
master_conf master "$port" "$G" master \
	"web-listen 127.0.0.1:$wport" "web-cert $G/web.crt" "web-key $G/web.key" \
	"events $E"
M=$work/master.log
U=https://127.0.0.1:$wport/api/v1
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
start hd-master master
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 5
hcurl() { curl -s --cacert "$G/ca.crt" --max-time 10 "$@"; }
# call METHOD PATH [BODY]: prints the status, then the body
call() {
	local m=$1 p=$2 b=${3:-}
	hcurl -o "$work/body" -w '%{http_code}\n' -X "$m" -H "Cookie: $sess" \
		-H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
		${b:+--data-binary "$b"} "$U/$p"
	cat "$work/body"
}
hcurl -o "$work/login" -D "$work/head" -H 'Content-Type: application/json' \
	--data-binary "{\"name\":\"admin\",\"password\":\"$pw\"}" "$U/login"
sess=$(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')
csrf=$(grep -Eo '"csrf":"[0-9a-f]{64}"' "$work/login" | cut -d'"' -f4)
check "admin logged in" test -n "$sess" -a -n "$csrf"

# A login with an empty X-CSRF-Token (what a page without a session
# yet sends) must not be refused.
check "a login with an empty CSRF header works" \
	test "$(hcurl -o /dev/null -w '%{http_code}' -H 'X-CSRF-Token;' \
	-H 'Content-Type: application/json' --data-binary \
	"{\"name\":\"admin\",\"password\":\"$pw\"}" "$U/login")" = 200

out=$(call GET events)
check "GET events: 200" grep -q '^200' <<<"$out"
check "four events, none pending" grep -q '"total":4,"pending":0,"events":\[' <<<"$out"
check "each with its next firing" \
	grep -Eq '"name":"morning","enabled":true,"next_ms":[0-9]{13},"last_fired_ms":null' <<<"$out"
check "an event without time triggers has no next firing" \
	grep -q '"name":"scene","enabled":true,"next_ms":null' <<<"$out"
check "GET events without a session: 401" \
	test "$(hcurl -o /dev/null -w '%{http_code}' "$U/events")" = 401
out=$(hcurl -o /dev/null -w '%{http_code}' -X POST -H "Cookie: $sess" "$U/events/scene/run")
check "run without the CSRF token: 403" test "$out" = 403
# The stream carries the scheduler's firings (master/stream_wire.c).
curl -s -N --cacert "$G/ca.crt" --max-time 60 -H "Cookie: $sess" \
	"$U/stream" >"$work/admin.sse" 2>/dev/null &
check "a stream opens" wait_log "$work/admin.sse" '^event: hello' 10
out=$(call POST events/scene/run)
check "run as admin: 200" grep -q '^200' <<<"$out"
check "the firing arrives on the stream" \
	wait_log "$work/admin.sse" '^data: .*"scene"' 10
check "the answer shows it fired now" \
	grep -Eq '"name":"scene","enabled":true,"next_ms":null,"last_fired_ms":[0-9]{13},"last_result":"ok"' <<<"$out"
check "the run is logged with who asked" wait_log "$M" 'api: admin runs event scene' 5
check "and the action ran" wait_log "$M" 'event scene: scene ran' 5
out=$(call POST events/tick/disable)
check "disable: 200, no next firing" grep -q '"name":"tick","enabled":false,"next_ms":null' <<<"$out"
# "beat" fires every second whatever the mode: three more of them prove
# two seconds of the schedule went by, in which tick would have fired
# twice (one may have been under way at the call).
beats() {
	wait_count "$M" 'event beat: beat' \
		$(($(count_log "$M" 'event beat: beat') + 3)) 10
}
n=$(count_log "$M" 'event tick: tick')
check "three beats go by" beats
check "a disabled event does not fire" test "$(count_log "$M" 'event tick: tick')" -le $((n + 1))
out=$(call POST events/tick/enable)
check "enable: 200" grep -q '"name":"tick","enabled":true' <<<"$out"
check "it fires again" wait_count "$M" 'event tick: tick' $((n + 3)) 10
out=$(call POST events/nope/run)
check "an unknown event: 404" grep -q '^404' <<<"$out"

out=$(call PUT modes '{"mode":"house","value":"away"}')
check "PUT modes: 200, away" grep -q '"name":"house","value":"away"' <<<"$out"
n=$(count_log "$M" 'event tick: tick')
check "three beats go by again" beats
check "the mode condition now holds the tick back" \
	test "$(count_log "$M" 'event tick: tick')" -le $((n + 1))
out=$(call GET modes)
check "GET modes: away, and the values" \
	grep -q '"value":"away","values":\["home","away"\]' <<<"$out"

cp "$E" "$work/good.events"
echo 'event broken { when at 24:00 do notify "x" }' >>"$E"
out=$(call POST events/reload)
check "reload of a broken file: 422 with file:line:col" \
	grep -q '"errors":\[".*home.events:6:24: a time of day' <<<"$out"
check "the old schedule keeps running" \
	grep -q '"total":4' <<<"$(call GET events)"
cp "$work/good.events" "$E"
echo 'event extra { when at 12:00 do notify "x" }' >>"$E"
out=$(call POST events/reload)
check "reload of a good file: 200" grep -q '{"events":5}' <<<"$out"
check "the mode survived the reload" grep -q '"value":"away"' <<<"$(call GET modes)"
finish
