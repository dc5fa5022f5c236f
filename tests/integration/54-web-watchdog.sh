#!/usr/bin/env bash
# The master's watchdog: a web process that stops answering its pings
# (here: SIGSTOP) is killed and restarted, the health check answers
# again within a bounded time, and /metrics counts the kill. An auth
# worker that stops answering, idle or with a hash to do, is killed the
# same way, and counted.
. "$(dirname "$0")/lib.sh"

# WEB_PING_MS + WEB_WATCHDOG_MS (6 s) to notice, WEB_RESTART_MS (1 s) to
# restart, and slack for a loaded machine and the sanitizer build.
BACK_S=20

web_master "allow 127.0.0.1"	# /metrics without a session
start hd-master master
check "web process serving" wait_log "$M" 'web process [0-9]+ serving' 10
wpid=$(web_pid)
kills() { hcurl "$U/metrics" | sed -n "s/^hd_watchdog_kills_total{child=\"$1\"} //p"; }
# kills_reach CHILD N: the counter reaches N within 5 s (a ping a second
# brings it to the web process).
kills_reach() {
	local i=0
	while [ "$i" -lt 50 ]; do
		[ "$(kills "$1")" = "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
check "metrics: no web process killed yet ($(kills web))" test "$(kills web)" = 0

# healthy_within S: the health check answers within S seconds.
healthy_within() {
	local end=$((SECONDS + $1))
	while [ "$SECONDS" -lt "$end" ]; do
		hcurl --max-time 1 "$U/api/v1/health" 2>/dev/null | grep -q '"ok"' && return 0
		sleep 0.2
	done
	return 1
}

t0=$SECONDS
kill -STOP "$wpid"
check "a stopped web process is killed by the watchdog" \
	wait_log "$M" "web process $wpid: no answer to a ping in [0-9]+ ms; killing it" "$BACK_S"
check "... and restarted through the usual path" \
	wait_log "$M" "web process $wpid killed by signal 9; restarting it" 5
check "a new web process serves" wait_count "$M" 'web process [0-9]+ serving' 2 "$BACK_S"
check "health answers again within $BACK_S s" healthy_within "$BACK_S"
check "it took $((SECONDS - t0)) s (at most $BACK_S)" test $((SECONDS - t0)) -le "$BACK_S"
check "the new web process is another ($(web_pid), was $wpid)" test "$(web_pid)" != "$wpid"
check "metrics: one web process killed" kills_reach web 1
check "a web process that answers is left alone" \
	test "$(count_log "$M" 'no answer to a ping')" -eq 1

# The auth worker, idle: stopped, it leaves a ping unanswered for
# AUTH_TIMEOUT_MS, is killed and restarted.
apid() { grep -Eo 'auth worker [0-9]+ started' "$M" | tail -1 | awk '{print $3}'; }
apid=$(apid)
check "auth worker running" test -n "$apid"
kill -STOP "$apid"
check "a stopped idle auth worker is killed" \
	wait_log "$M" "auth worker $apid: no answer to a ping in [0-9]+ ms" "$BACK_S"
check "metrics: one auth worker killed" kills_reach auth 1
check "another auth worker starts" wait_count "$M" 'auth worker [0-9]+ started' 2 "$BACK_S"

# ... and stopped with a login's hash to do: killed as well.
apid=$(apid)
kill -STOP "$apid"
A=$U/api/v1
post login '{"name":"nobody","password":"0123456789ab"}' --max-time 15 >"$work/login.out"
check "the login is answered (503: its hash was lost) ($(head -1 "$work/login.out"))" \
	test "$(head -1 "$work/login.out")" = 503
check "a stopped auth worker with a hash to do is killed" \
	wait_log "$M" "auth worker $apid: no answer( to a ping)? in [0-9]+ ms" "$BACK_S"
check "metrics: two auth workers killed" kills_reach auth 2
finish
