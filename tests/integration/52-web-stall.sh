#!/usr/bin/env bash
# Clients that tried to stall the web process (tests/tools/stall.py): a
# partial TLS record held open, a handshake and request one byte per TCP
# segment, 64 KiB pipelined behind an API call (read, and left), a
# client that never reads its answers. While each one is at work a
# second client must keep getting answers in bounded time, the web
# process must not spin on the held socket, and SIGTERM must stop it.
. "$(dirname "$0")/lib.sh"

ANSWER_S=3	# a health answer comes within this, or the engine stalled
PROBES=5	# health answers asked for during each scenario
SPIN_MS=2000	# window in which a held connection's CPU time is measured

web_master
start hd-master master
check "web process serving" wait_log "$M" 'web process [0-9]+ serving' 10
stall() { python3 "$top/tests/tools/stall.py" "$1" 127.0.0.1 "$wport" "$G/ca.crt"; }

# flowing WHAT: PROBES health answers, each within ANSWER_S.
flowing() {
	local i t worst=0 bad=0
	for i in $(seq "$PROBES"); do
		t=$(hcurl --max-time "$ANSWER_S" -o "$work/h" -w '%{time_total}' \
			"$U/api/v1/health")
		grep -q '"ok"' "$work/h" 2>/dev/null || bad=$((bad + 1))
		rm -f "$work/h"
		worst=$(awk -v a="$worst" -v b="${t:-99}" 'BEGIN { print (b > a) ? b : a }')
	done
	check "$1: $PROBES health answers, none late (slowest ${worst} s)" test "$bad" -eq 0
}
# cpu_ms PID: user + system time of a process so far, in ms.
cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' \
		"/proc/$1/stat"
}
# not_spinning WHAT: the web process is idle while the client holds.
not_spinning() {
	local a b
	a=$(cpu_ms "$wpid")
	sleep "$((SPIN_MS / 1000))"
	b=$(cpu_ms "$wpid")
	check "$1: web process idle while held ($((b - a)) ms CPU in $SPIN_MS ms)" \
		test $((b - a)) -lt $((SPIN_MS / 5))
}
# held MODE: start a holding client, wait for "held" (bounded).
# Clients are not in pids (lib.sh would signal them after they are
# reaped, when the number may be another process's): let_go ends one.
held() {
	stall "$1" >"$work/$1.out" 2>&1 &
	hpid=$!
	check "$1: client in place" wait_log "$work/$1.out" '^held' 10
}
let_go() {
	kill "$hpid"
	wait "$hpid" 2>/dev/null
}
# term WHAT: SIGTERM ends the web process at once; the master starts
# another, which serves.
term() {
	local i=0
	kill -TERM "$wpid"
	while kill -0 "$wpid" 2>/dev/null && [ "$i" -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check "$1: SIGTERM stops the web process" test "$i" -lt 30
	n=$((n + 1))
	check "$1: the master starts another" wait_count "$M" 'web process [0-9]+ serving' "$n" 10
	wpid=$(web_pid)
	check "$1: it serves" hcurl -o /dev/null "$U/api/v1/health"
}
n=1
wpid=$(web_pid)

# 1. A partial record held open: before, the read loop spun on it.
held partial
flowing "partial record"
not_spinning "partial record"
term "partial record"
let_go

# 2. Handshake and request one byte per segment, while others are served.
stall dribble >"$work/dribble.out" 2>&1 &
dpid=$!
flowing "one byte per segment"
wait "$dpid"
check "one byte per segment: the dribbling client is answered ($(cat "$work/dribble.out"))" \
	grep -q 'answers \[200\]' "$work/dribble.out"

# 3. 64 KiB pipelined behind an API call that waits for the master; the
# master is stopped for a moment, so the wait is certain.
kill -STOP "$pid_master"
stall pipeline >"$work/pipeline.out" 2>&1 &
ppid=$!
flowing "64 KiB pipelined behind an API call"
not_spinning "64 KiB pipelined behind an API call"
kill -CONT "$pid_master"
wait "$ppid"
prc=$?
check "64 KiB pipelined: every request answered ($(cat "$work/pipeline.out"))" \
	test "$prc" -eq 0

# ... and the same burst from a client that leaves at once.
kill -STOP "$pid_master"
stall leave >"$work/leave.out" 2>&1
check "burst and leave: client sent and left" grep -q '^left' "$work/leave.out"
flowing "burst and leave"
not_spinning "burst and leave"
kill -CONT "$pid_master"
flowing "burst and leave, master back"
term "burst and leave"

# 4. A client that never reads its answers.
held noread
flowing "never reads"
not_spinning "never reads"
term "never reads"
let_go

check "the master is alive" kill -0 "$pid_master"
finish
