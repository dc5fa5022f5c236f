#!/usr/bin/env bash
# The event stream through real HTTPS: resume after a reconnect with
# Last-Event-ID (and ?last_event_id=) from the backlog, a reset when the
# id is older than the backlog, heartbeats on a quiet stream, the cap on
# streams from one address, and a client that stops reading dropped
# rather than allowed to grow the web process's memory.
. "$(dirname "$0")/lib.sh"

web_master
A=$U/api/v1
slave_conf slave-house House "$port" "$G"
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
start hd-master master
start hd-slave slave-house
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10
check "the slave announces" wait_log "$M" 'slave slave-house announced' 15

hcurl() { curl -s --cacert "$G/ca.crt" --max-time 10 "$@"; }
out=$(hcurl -D "$work/head" -H 'Content-Type: application/json' \
	--data-binary "{\"name\":\"admin\",\"password\":\"$pw\"}" "$A/login")
S="Cookie: $(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')"
C="X-CSRF-Token: $(grep -Eo '"csrf":"[0-9a-f]{64}"' <<<"$out" | cut -d'"' -f4)"
tok=$(hcurl -H "$S" -H "$C" -H 'Content-Type: application/json' \
	--data-binary '{"name":"stream test"}' "$A/tokens" | grep -Eo 'hdt_[0-9a-f]{64}')
check "an admin token for the streams" test -n "$tok"
T="Authorization: Bearer $tok"
lamp() {	# lamp true|false: a command, hence a value and a command event
	hcurl -o /dev/null -H "$T" -H 'Content-Type: application/json' \
		--data-binary "{\"value\":$1}" "$A/devices/slave-house/sim:lamp/values/on"
}
# stream FILE SECONDS [curl args]: a stream into FILE, in the foreground
stream() {
	curl -s -N --cacert "$G/ca.crt" --max-time "$2" -H "$T" "${@:3}" \
		"$A/stream" >"$1" 2>/dev/null
}

# 1. Resume with Last-Event-ID
stream "$work/s1" 3
ids=($(sed -n 's/^id: //p' "$work/s1"))
check "the first stream saw events (${#ids[@]})" test "${#ids[@]}" -ge 3
x=${ids[1]}
lamp true
lamp false
stream "$work/s2" 3 -H "Last-Event-ID: $x"
first=$(sed -n 's/^id: //p' "$work/s2" | head -1)
check "the resumed stream starts right after the id ($first = $x + 1)" \
	test "$first" = "$((x + 1))"
check "it replays what the first stream saw after that id" \
	test "$(sed -n 's/^id: //p' "$work/s2" | head -$(( ${#ids[@]} - 2 )) | tr '\n' ' ')" = "$(printf '%s ' "${ids[@]:2}")"
check "it replays the lamp's changes made while away" \
	grep -q '"device":"sim:lamp","key":"on","value":false' "$work/s2"
check "hello comes first, even on a resume" test "$(sed -n 2p "$work/s2")" = "event: hello"
stream "$work/s3" 2 -G --data-urlencode "last_event_id=$x"
check "?last_event_id= resumes the same way" \
	test "$(sed -n 's/^id: //p' "$work/s3" | head -1)" = "$((x + 1))"
stream "$work/s4" 2 -H "Last-Event-ID: 1"
check "an id older than the backlog: a reset first" \
	test "$(grep -v '^retry:' "$work/s4" | sed -n '4,5p' | tr '\n' ' ')" = 'event: reset data: {"reason":"backlog"} '

out=$(hcurl -I -H "$T" "$A/stream" | tr -d '\r')
check "HEAD: the stream's head only" \
	grep -q '^content-type: text/event-stream' <<<"${out,,}"

# 2. Heartbeats: a viewer with no grant sees no event at all
out=$(hcurl -H "$S" -H "$C" -H 'Content-Type: application/json' \
	--data-binary '{"name":"quiet","role":"viewer"}' "$A/users")
qpw=$(grep -Eo '"password":"[a-z0-9]{20}"' <<<"$out" | cut -d'"' -f4)
qtok=$(hcurl -D "$work/qhead" -H 'Content-Type: application/json' \
	--data-binary "{\"name\":\"quiet\",\"password\":\"$qpw\"}" "$A/login" >/dev/null; \
	tr -d '\r' <"$work/qhead" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')
curl -s -N --cacert "$G/ca.crt" --max-time 20 -H "Cookie: $qtok" "$A/stream" >"$work/quiet" 2>/dev/null
check "a quiet stream gets a heartbeat comment (STREAM_HEARTBEAT_MS)" grep -q '^: hb$' "$work/quiet"
check "and no event it may not see" test -z "$(grep '^id:' "$work/quiet")"

# 3. At most STREAM_MAX_PER_ADDR (4) streams from one address
for i in 1 2 3 4; do
	curl -s -N --cacert "$G/ca.crt" --max-time 60 --interface 127.0.0.3 \
		-H "$T" "$A/stream" >"$work/cap$i" 2>/dev/null &
	pids+=($!); disown $!
done
check "four streams from 127.0.0.3" wait_count "$M" '127\.0\.0\.3:[0-9]+: stream of admin started' 4 10
out=$(hcurl --interface 127.0.0.3 -o /dev/null -w '%{http_code}' -H "$T" "$A/stream")
check "a fifth: 429" test "$out" = 429
out=$(hcurl --interface 127.0.0.4 -o /dev/null -w '%{http_code}' --max-time 2 -H "$T" "$A/stream")
check "another address still gets one" test "$out" = 200

# 4. A client that stops reading is dropped. Its receive window is tiny
# and it never reads; commands make events until the web process gives up.
cat >"$work/slow.py" <<PY
import socket, ssl, time
ctx = ssl.create_default_context(cafile="$G/ca.crt")
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
s.bind(("127.0.0.5", 0))
s.connect(("127.0.0.1", $wport))
t = ctx.wrap_socket(s, server_hostname="127.0.0.1")
t.sendall(b"GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          b"Authorization: Bearer $tok\r\n\r\n")
time.sleep(120)
PY
python3 "$work/slow.py" 2>/dev/null &
pids+=($!); disown $!
check "the slow client's stream starts" wait_log "$M" '127\.0\.0\.5:[0-9]+: stream of admin started' 10
cat >"$work/flood.py" <<PY
import http.client, ssl, sys, time, json
ctx = ssl.create_default_context(cafile="$G/ca.crt")
c = http.client.HTTPSConnection("127.0.0.1", $wport, context=ctx, timeout=10)
hdr = {"Authorization": "Bearer $tok", "Content-Type": "application/json"}
sent = 0
for i in range(3000):
    try:
        c.request("POST", "/api/v1/devices/slave-house/sim:lamp/values/on",
                  json.dumps({"value": i % 2 == 0}), hdr)
        r = c.getresponse(); r.read()
    except (OSError, http.client.HTTPException):
        # HTTP_MAX_REQUESTS per connection: a new one
        c.close()
        c = http.client.HTTPSConnection("127.0.0.1", $wport, context=ctx,
                                        timeout=10)
        continue
    if r.status == 202: sent += 1
    elif r.status == 429: time.sleep(0.05)
    if i % 50 == 0:
        with open("$M") as f:
            if "dropped: client too slow" in f.read(): break
print(sent)
PY
n=$(python3 "$work/flood.py")
check "a client that stops reading is dropped (after $n commands)" \
	wait_log "$M" '127\.0\.0\.5:[0-9]+: stream of admin dropped: client too slow' 10
check "the drop names how much was unsent" \
	grep -Eq 'client too slow \([0-9]+ bytes unsent\)' "$M"
check "the web process carries on" test "$(hcurl -o /dev/null -w '%{http_code}' "$U/api/v1/health")" = 200
# 5. A stream ends with the token or session that opened it
tok2=$(hcurl -H "$S" -H "$C" -H 'Content-Type: application/json' \
	--data-binary '{"name":"second"}' "$A/tokens")
tid2=$(grep -Eo '"id":"[0-9a-f]{16}"' <<<"$tok2" | cut -d'"' -f4)
tok2=$(grep -Eo 'hdt_[0-9a-f]{64}' <<<"$tok2")
curl -s -N --cacert "$G/ca.crt" --max-time 60 --interface 127.0.0.7 \
	-H "Authorization: Bearer $tok2" "$A/stream" >"$work/t2" 2>/dev/null &
pids+=($!); disown $!
curl -s -N --cacert "$G/ca.crt" --max-time 60 --interface 127.0.0.8 \
	-H "$S" "$A/stream" >"$work/s8" 2>/dev/null &
pids+=($!); disown $!
wait_log "$M" '127\.0\.0\.7:[0-9]+: stream of admin started' 10
wait_log "$M" '127\.0\.0\.8:[0-9]+: stream of admin started' 10
hcurl -o /dev/null -X DELETE -H "$S" -H "$C" "$A/tokens/$tid2"
check "revoking a token ends its stream" \
	wait_log "$M" '127\.0\.0\.7:[0-9]+: stream of admin ended: its session or token ended' 10
check "... and no other" test "$(count_log "$M" 'stream of admin ended')" = 1
hcurl -o /dev/null -H "$S" -H "$C" -H 'Content-Type: application/json' -d '{}' "$A/logout"
check "a logout ends the session's stream" \
	wait_log "$M" '127\.0\.0\.8:[0-9]+: stream of admin ended: its session or token ended' 10
check "the token's streams go on" test "$(count_log "$M" 'stream of admin ended')" = 2
check "the web process never restarted" test "$(count_log "$M" 'web process [0-9]+ serving')" = 1
finish
