#!/usr/bin/env bash
# The master's log tail through real HTTPS: an admin reads recent lines
# (GET /api/v1/log, ?lines=, ?since=) and gets them as "log" events on
# the stream; a user gets 403 and no log event on its own stream.
. "$(dirname "$0")/lib.sh"

web_master
A=$U/api/v1
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
start hd-master master
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10

hcurl() { curl -s --cacert "$G/ca.crt" --max-time 10 "$@"; }
login() {	# login NAME PASSWORD HEADFILE: prints the body
	hcurl -D "$3" -H 'Content-Type: application/json' \
		--data-binary "{\"name\":\"$1\",\"password\":\"$2\"}" "$A/login"
}
out=$(login admin "$pw" "$work/head")
S="Cookie: $(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')"
C="X-CSRF-Token: $(grep -Eo '"csrf":"[0-9a-f]{64}"' <<<"$out" | cut -d'"' -f4)"
out=$(hcurl -H "$S" -H "$C" -H 'Content-Type: application/json' \
	--data-binary '{"name":"bob","role":"user"}' "$A/users")
bpw=$(grep -Eo '"password":"[a-z0-9]{20}"' <<<"$out" | cut -d'"' -f4)
login bob "$bpw" "$work/bhead" >/dev/null
B="Cookie: $(tr -d '\r' <"$work/bhead" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')"

# 1. Reading the tail
out=$(hcurl -H "$S" "$A/log")
check "an admin reads the master's start-up lines" \
	grep -q '"level":"info","text":"master [^"]* started' <<<"$out"
check "... and the login it just made" grep -q '"text":"api: admin logged in"' <<<"$out"
check "a user gets 403" test "$(hcurl -o /dev/null -w '%{http_code}' -H "$B" "$A/log")" = 403
check "nobody gets 401" test "$(hcurl -o /dev/null -w '%{http_code}' "$A/log")" = 401
check "lines=0 is refused" test "$(hcurl -o /dev/null -w '%{http_code}' -H "$S" "$A/log?lines=0")" = 400
out=$(hcurl -H "$S" "$A/log?lines=1")
check "lines=1: one line" test "$(grep -o '"id":' <<<"$out" | wc -l)" = 1
last=$(grep -Eo '"last_id":[0-9]+' <<<"$out" | cut -d: -f2)
login nobody wrong-password-here "$work/xhead" >/dev/null
out=$(hcurl -H "$S" "$A/log?since=$last")
check "since=: only what came after" grep -q '"text":"api: login of \\"nobody\\" failed"' <<<"$out"
check "... and nothing before" test -z "$(grep 'logged in' <<<"$out")"

# 2. On the stream: admins only
curl -s -N --cacert "$G/ca.crt" --max-time 8 -H "$S" "$A/stream" >"$work/as" 2>/dev/null &
pids+=($!); disown $!
curl -s -N --cacert "$G/ca.crt" --max-time 8 -H "$B" "$A/stream" >"$work/bs" 2>/dev/null &
pids+=($!); disown $!
check "the admin's stream opens" wait_log "$work/as" '^event: hello' 10
check "the user's stream opens" wait_log "$work/bs" '^event: hello' 10
login nobody still-wrong-password "$work/xhead" >/dev/null
check "the admin's stream gets the line as a log event" \
	wait_log "$work/as" '"text":"api: login of \\"nobody\\" failed"' 10
check "it is an event named log" grep -q '^event: log$' "$work/as"
sleep 1
check "the user's stream gets no log event" test -z "$(grep '^event: log' "$work/bs")"
finish
