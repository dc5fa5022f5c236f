#!/usr/bin/env bash
# A stopping master's web process drains (docs/WEB.md, "Stopping"): calls
# in flight when the master is told to stop all get an answer, none a
# reset or a closed connection. The auth worker is held (SIGSTOP), so
# logins wait at the master; one more than AUTH_MAX_PENDING are sent at
# once, and the one refused at once (503 busy) proves that the others
# are all held there. Then, in turn: SIGTERM to the master alone; to the
# web process and the master together, the web process first (systemd's
# stop signals the whole group); to the web process alone, whose master
# stays up but cannot answer in time (WEB_DRAIN_MS). Each time every
# held login gets a whole 503 "stopping", and the idle kept-alive
# connection is closed cleanly (a TLS close, not a reset).
. "$(dirname "$0")/lib.sh"

lim() { sed -n "s/^#define $1[[:space:]]*\([0-9]*\).*/\1/p" "$top/shared/hdlimits.h"; }
held=$(lim AUTH_MAX_PENDING)
drain_ms=$(lim WEB_DRAIN_MS)
web_master "allow 127.0.0.1"	# the refused logins: no ban, no throttle
admin_pw

# round NAME: start the master if it is down, hold its auth worker, send
# held+1 logins; "$work/NAME.out" gets the client's lines. Sets mpid,
# wpid, apid.
round() {
	local r=$1 n
	if [ -z "${pid_master:-}" ] || ! kill -0 "$pid_master" 2>/dev/null; then
		n=$(count_log "$M" 'web process [0-9]+ serving')
		start hd-master master
		check "$r: the master serves" wait_count "$M" 'web process [0-9]+ serving' $((n + 1)) 20
	fi
	mpid=$pid_master
	wpid=$(web_pid)
	# A login starts the auth worker if it is not running (AUTH_IDLE_MS).
	A=$U/api/v1
	check "$r: a login works" eval 'post login "{\"name\":\"admin\",\"password\":\"$pw\"}" | grep -q ^200'
	apid=$(grep -Eo 'auth worker [0-9]+ started' "$M" | tail -1 | awk '{print $3}')
	check "$r: the auth worker $apid is held (SIGSTOP)" kill -STOP "$apid"
	python3 "$top/tests/tools/inflight.py" 127.0.0.1 "$wport" "$G/ca.crt" \
		$((held + 1)) >"$work/$r.out" 2>&1 &
	pids+=($!)
	inflight=$!
	check "$r: $((held + 1)) logins sent" wait_log "$work/$r.out" "^sent $((held + 1))\$" 20
	check "$r: one refused at once (busy): the other $held wait at the master" \
		wait_log "$work/$r.out" '^answer [0-9]+ 503 busy$' 20
}

# outcome NAME: every held login answered 503 stopping, none cut.
outcome() {
	local r=$1 i
	for ((i = 0; i < 300; i++)); do
		grep -qx done "$work/$r.out" && break
		sleep 0.1
	done
	check "$r: the client is done" grep -qx done "$work/$r.out"
	check "$r: all $held held logins answered 503 stopping" \
		test "$(count_log "$work/$r.out" '^answer [0-9]+ 503 stopping$')" -eq "$held"
	check "$r: no call without an answer (reset, closed, timeout)" \
		test "$(count_log "$work/$r.out" '^noanswer')" -eq 0
	check "$r: the idle kept-alive connection closed cleanly" grep -qx 'idle closed' "$work/$r.out"
	sed 's/^/# /' "$work/$r.out"
	kill -CONT "$apid" 2>/dev/null
}

# gone PID SECONDS: the process has exited within SECONDS.
gone() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# 1. The master told to stop.
round stop
kill -TERM "$mpid"
outcome stop
check "stop: the web process answered them (the link closed)" \
	grep -q "hd-web.*link to the master: .*; $held calls waiting for it answered 503" "$M"
check "stop: the master exits" gone "$mpid" 10
check "stop: ... and its web process" gone "$wpid" 5
check "stop: nothing cut by the drain's deadline" eval '! grep -q "still open after" "$M"'

# 2. Both, the web process first (systemd's stop signals the whole
# group, and either may take its signal first): the web process is
# draining when the master is told to stop.
round group
kill -TERM "$wpid"
check "group: the web process drains on its SIGTERM" wait_log "$M" "hd-web.*draining \(SIGTERM\)" 10
kill -TERM "$mpid"
outcome group
check "group: the master exits" gone "$mpid" 10
check "group: ... and its web process" gone "$wpid" 5

# 3. The web process alone: its master lives but cannot answer in time.
round web
n=$(count_log "$M" 'web process [0-9]+ serving')
kill -TERM "$wpid"
outcome web
check "web: answered by the web process at its deadline ($drain_ms ms)" \
	grep -q "hd-web.*draining: $held calls the master did not answer in $drain_ms ms answered 503" "$M"
check "web: the web process exits" gone "$wpid" 5
check "web: the master starts a new web process" \
	wait_count "$M" 'web process [0-9]+ serving' $((n + 1)) 20
kill -CONT "$apid" 2>/dev/null
check "web: the new one serves" test "$(hcurl -o /dev/null -w '%{http_code}' "$U/api/v1/health")" = 200
finish
