#!/usr/bin/env bash
# Missed instants shown to the user (docs/API.md#get-apiv1events-viewer,
# docs/SCHEDULER.md, missed events): a master stopped past instants of a
# 'catch-up none' event skips them at its restart, and the API says so
# per event: how many (as many as its log line), the last instant (after
# the stop), when it was judged missed and why; an event with nothing
# missed has "missed":null.
. "$(dirname "$0")/lib.sh"

E=$work/home.events
cat >"$E" <<'EOT'
event strict { when every 1 s catch-up none do notify "strict" }
event scene { do notify "scene ran" }
EOT
web_master "events $E"
A=$U/api/v1
admin_pw
start hd-master master
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10
check "the every-second event fires" wait_count "$M" 'event strict: strict' 2 10
check "nothing is missed on a first start" \
	test "$(count_log "$M" 'missed [0-9]+ time')" -eq 0
pid=$(pid_of master)
kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "the master stops" test "$i" -lt 100
# The last instant it handled is before now; wait on the clock until two
# seconds have passed, so an instant of 'every 1 s' certainly falls in
# the gap (bounded: 100 steps of 0.1 s cover the 2.1 s).
stopped=$(date +%s%3N)
i=0
while [ $(($(date +%s%3N) - stopped)) -lt 2100 ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
start hd-master master
check "the restarted master serves" wait_count "$M" 'web process [0-9]+ serving' 2 10
check "the skipped instants are logged" \
	wait_log "$M" 'event strict \(every 1 s\) missed [0-9]+ times? while the master was stopped' 10
logged=$(sed -En 's/.*event strict \(every 1 s\) missed ([0-9]+) time.*/\1/p' "$M" |
	tail -1)
admin_session
out=$(call GET events/strict "" "${auth[@]}")
check "GET events/strict: 200" grep -q '^200' <<<"$out"
re='"missed":\{"count":([0-9]+),"last_due_ms":([0-9]{13}),"at_ms":([0-9]{13}),'
re+='"why":"skipped while the master was stopped: [0-9]+ s late, catch-up none"\}'
check "its missed record: count, instant, when, why" grep -Eq "$re" <<<"$out"
[[ $out =~ $re ]] && count=${BASH_REMATCH[1]} due=${BASH_REMATCH[2]} \
	at=${BASH_REMATCH[3]}
check "the count is the log's ($logged)" test "${count:-x}" = "$logged"
check "the last missed instant is after the stop and before it was judged" \
	test "${due:-0}" -gt "$stopped" -a "${due:-0}" -le "${at:-0}"
check "judged missed after the stop" test "${at:-0}" -ge "$stopped"
out=$(call GET events "" "${auth[@]}")
check "the list carries it too" grep -Eq "$re" <<<"$out"
check "an event with nothing missed: null" \
	grep -q '"name":"scene",[^{}]*"runs":\[\],"missed":null' <<<"$out"
finish
