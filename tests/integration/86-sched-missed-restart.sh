#!/usr/bin/env bash
# The missed record survives restarts (docs/SCHEDULER.md, missed events;
# docs/API.md#get-apiv1events-viewer): a master stopped past instants of
# two 'catch-up none' events records them at its restart (as many as its
# log lines say); the record is in sched.state; stopped again past more
# instants, its count is the sum of both gaps', its last instant from the
# second gap, while the event disabled before the second stop shows its
# record exactly as before the restart (nothing added while disabled).
. "$(dirname "$0")/lib.sh"

E=$work/home.events
cat >"$E" <<'EOT'
event strict { when every 1 s catch-up none do notify "strict" }
event quiet { when every 1 s catch-up none do notify "quiet" }
EOT
web_master "events $E"
A=$U/api/v1
admin_pw
start hd-master master
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10
check "the every-second event fires" wait_count "$M" 'event strict: strict' 2 10

# stop_gap: SIGTERM the master, wait until it is gone, then until 2.1 s
# of the clock have passed (an instant of 'every 1 s' certainly falls in
# the gap); sets stopped (ms). Every wait bounded.
stop_gap() {
	local pid i
	pid=$(pid_of master)
	kill -TERM "$pid"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	check "the master stops" test "$i" -lt 100
	stopped=$(date +%s%3N)
	for ((i = 0; i < 100; i++)); do
		[ $(($(date +%s%3N) - stopped)) -ge 2100 ] && break
		sleep 0.1
	done
}
# logged EVENT: the count of EVENT's last "missed N times" line.
logged() {
	sed -En "s/.*event $1 \(every 1 s\) missed ([0-9]+) time.*/\1/p" "$M" |
	    tail -1
}
# record EVENT: its "missed" object as GET /api/v1/events/EVENT shows it.
record() {
	call GET "events/$1" "" "${auth[@]}" |
	    sed -En 's/.*"missed":(\{[^}]*\}).*/\1/p'
}
re_missed='event strict \(every 1 s\) missed [0-9]+ times? while the master was stopped'
count_of() { sed -En 's/^\{"count":([0-9]+),.*/\1/p' <<<"$1"; }
due_of() { sed -En 's/.*"last_due_ms":([0-9]+),.*/\1/p' <<<"$1"; }

stop_gap
stop1=$stopped
start hd-master master
check "restart 1: serving" wait_count "$M" 'web process [0-9]+ serving' 2 10
check "restart 1: strict's skipped instants logged" \
	wait_count "$M" "$re_missed" 1 10
check "restart 1: quiet's too" wait_log "$M" \
	'event quiet \(every 1 s\) missed [0-9]+ times? while the master was stopped' 10
s1=$(logged strict) q1=$(logged quiet)
admin_session
r=$(record strict)
check "restart 1: strict's record, as many as logged ($s1): $r" \
	test -n "$s1" -a "$(count_of "$r")" = "$s1"
check "... its last instant in the gap" \
	test "$(due_of "$r")" -gt "$stop1"
q=$(record quiet)
check "restart 1: quiet's record, as many as logged ($q1)" \
	test -n "$q1" -a "$(count_of "$q")" = "$q1"
check "the record is in sched.state" \
	grep -aq 'skipped while the master was stopped' "$work/state-master/sched.state"
check "quiet is disabled" eval \
	'post events/quiet/disable "" "${auth[@]}" | head -1 | grep -qx 200'
q=$(record quiet)	# as the disable left it

stop_gap
stop2=$stopped
start hd-master master
check "restart 2: serving" wait_count "$M" 'web process [0-9]+ serving' 3 10
check "restart 2: strict's skipped instants logged" \
	wait_count "$M" "$re_missed" 2 10
s2=$(logged strict)
admin_session
r=$(record strict)
check "restart 2: strict's count is both gaps' ($s1 + $s2): $r" \
	test "$(count_of "$r")" = "$((s1 + s2))"
check "... its last instant in the second gap" \
	test "$(due_of "$r")" -gt "$stop2"
check "... and why" grep -Eq \
	'"why":"skipped while the master was stopped: [0-9]+ s late, catch-up none"' \
	<<<"$r"
check "restart 2: disabled quiet missed nothing more (no log line)" \
	test "$(count_log "$M" 'event quiet \(every 1 s\) missed')" -eq 1
check "restart 2: quiet's record exactly as before the restart: $q" \
	test -n "$q" -a "$(record quiet)" = "$q"
finish
