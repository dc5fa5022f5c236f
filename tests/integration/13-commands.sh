#!/usr/bin/env bash
# Commands to a real slave, sent by hd-testmaster until the master's API
# can: results (OK, UNKNOWN_DEVICE, READ_ONLY, BAD_VALUE); a repeated id
# answered from the slave's memo without acting again, even after a master
# restart; reports made while the master was down replayed after the
# device list; a master with a lower term than one seen is fenced off,
# also by a restarted slave (the term is kept in its state dir).
. "$(dirname "$0")/lib.sh"

gen_pki
port=$(free_port)
P=$work/pki/good
slave_conf slave-house House "$port" "$P"
S=$work/slave-house.log
fifo=$work/tm.in
mkfifo "$fifo"
trap '' PIPE	# a write while no test master reads must not kill the test
tm=0

# tm_start [OPTIONS]: start test master number N+1 reading the FIFO; its
# events go to $work/tmN.out ($T), its diagnostics to $work/tmN.log.
tm_start() {
	tm=$((tm + 1))
	T=$work/tm$tm.out
	"$bin/hd-testmaster" -a "127.0.0.1:$port" -c "$P/master.crt" \
		-k "$P/master.key" -C "$P/ca.crt" -r "$P/crl.pem" -H 500 "$@" \
		<"$fifo" >"$T" 2>"$work/tm$tm.log" &
	tm_pid=$!
	pids+=("$tm_pid")
	disown "$tm_pid"
	# Held open for the whole test, so a test master never reads EOF
	# (which means quit). Opening waits for the first reader.
	[ "$tm" -eq 1 ] && exec 3>"$fifo"
	wait_log "$T" '^listening ' 5
}
send() { printf '%s\n' "$*" >&3; }
# tm_quit: "quit", then wait (bounded) until that test master is gone.
tm_quit() {
	local i=0
	send quit
	while kill -0 "$tm_pid" 2>/dev/null && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! kill -0 "$tm_pid" 2>/dev/null
}
# line_of FILE REGEX: number of the first matching line (0: none).
line_of() {
	local n
	n=$(grep -nE -m1 -- "$2" "$1" | cut -d: -f1)
	echo "${n:-0}"
}

# 1. registration and device list
check "test master listens" tm_start
start hd-slave slave-house
check "slave registers with the test master" \
	wait_log "$T" '^online slave-house House$' 10
check "announce lists sim:lamp, sim:temp, sim:door" \
	wait_log "$T" '^announce slave-house 3 sim:lamp,sim:temp,sim:door$' 5
check "sim:lamp is a writable bool" \
	grep -q '^device sim:lamp DEV_SWITCH on:bool:rw$' "$T"
check "sim:temp is a read-only double" \
	grep -q '^device sim:temp DEV_SENSOR temperature:double:ro$' "$T"
check "sim:door is a read-only bool" \
	grep -q '^device sim:door DEV_BINARY_SENSOR open:bool:ro$' "$T"
check "current values are reported: the lamp is off" \
	wait_log "$T" '^report sim:lamp on false ' 5

# 2. commands. The slave sends the lamp's report before the command's
# result, so once a result is here, any report it caused is here too.
send 'cmd 7 sim:lamp on true'
check "cmd 7: result OK true" wait_log "$T" '^result 7 OK true$' 5
check "cmd 7: the lamp reports on" grep -q '^report sim:lamp on true ' "$T"
send 'cmd 7 sim:lamp on true'
check "cmd 7 again: answered from the memo as a duplicate" \
	wait_log "$T" '^result 7 OK true duplicate$' 5
check "cmd 7 again: the lamp did not act again (one report)" \
	test "$(count_log "$T" '^report sim:lamp on true ')" -eq 1
check "cmd 7 ran once on the slave" \
	test "$(count_log "$S" 'command 7 on sim:lamp: done')" -eq 1
send 'cmd 8 sim:nothing on true'
check "unknown device: UNKNOWN_DEVICE" \
	wait_log "$T" '^result 8 UNKNOWN_DEVICE - no such device' 5
send 'cmd 9 sim:temp temperature 3'
check "read-only value: READ_ONLY" \
	wait_log "$T" '^result 9 READ_ONLY - value is read-only$' 5
send 'cmd 10 sim:lamp on 5'
check "integer for a bool: BAD_VALUE" \
	wait_log "$T" '^result 10 BAD_VALUE - expects on/off$' 5
send 'cmd 11 sim:lamp brightness 5'
check "unknown key: READ_ONLY" \
	wait_log "$T" '^result 11 READ_ONLY - no such value$' 5
send 'cmd 12 sim:lamp on "true"'
check "text for a bool: BAD_VALUE" \
	wait_log "$T" '^result 12 BAD_VALUE - expects on/off$' 5
send 'cmd 0 sim:lamp on false'
send 'pulse 13 sim:lamp on false 200'
check "pulse 13: result OK false" wait_log "$T" '^result 13 OK false$' 5
check "id 0 is ignored: no result" \
	test "$(count_log "$T" '^result 0 ')" -eq 0
check "id 0 is ignored: the lamp acted for pulse 13 only" \
	test "$(count_log "$T" '^report sim:lamp on false ')" -eq 2
send 'cmd 14 sim:lamp'
check "a malformed line is refused by the test master" \
	wait_log "$T" '^error usage' 5

# 3. The test master restarts. What the slave reported meanwhile is
# replayed after the device list; the memo lives in the slave.
check "test master quits" tm_quit
check "slave notices the shutdown" \
	wait_log "$S" 'lost master master .*SHUTDOWN' 5
down_ms=$(date +%s%3N)
sleep 2.5	# the door toggles every 1.2 s, the temperature wanders
up_ms=$(date +%s%3N)
check "test master restarts on the same port" tm_start
check "slave comes back" wait_log "$T" '^online slave-house House$' 15
check "slave replays what the master missed" \
	wait_log "$S" 'replaying [1-9][0-9]* queued message' 5
check "the device list comes before any report" \
	test "$(line_of "$T" '^announce ')" -ge 1 -a \
	"$(line_of "$T" '^announce ')" -lt "$(line_of "$T" '^report ')"
missed=$(awk -v a="$down_ms" -v b="$up_ms" '$1 == "report" {
	for (i = 2; i <= NF; i++)
		if ($i ~ /^at=/) {
			t = substr($i, 4) + 0
			if (t > a && t < b)
				n++
		}
} END { print n + 0 }' "$T")
check "reports made while the master was down arrive ($missed)" \
	test "$missed" -ge 1
check "the lamp is still off" wait_log "$T" '^report sim:lamp on false ' 5
send 'cmd 7 sim:lamp on true'
check "cmd 7 after the restart: still a duplicate" \
	wait_log "$T" '^result 7 OK true duplicate$' 5
check "cmd 7 after the restart: the lamp did not act" \
	test "$(count_log "$T" '^report sim:lamp on true ')" -eq 0
send 'cmd 15 sim:lamp on true'
check "a new command works after the restart" \
	wait_log "$T" '^result 15 OK true$' 5
check "... and the lamp reports on" grep -q '^report sim:lamp on true ' "$T"

# 4. term fencing
check "test master quits" tm_quit
check "test master with term 5 starts" tm_start -T 5
check "slave registers with term 5" \
	wait_log "$S" 'registered with master master .*term 5,' 15
# NodeState: term (field 1) 5, format (field 100) 1 (shared/statefmt.h).
check "slave keeps term 5 in its state dir" \
	test "$(od -An -tx1 "$work/state-slave-house/slave.state" |
		tr -d ' \n')" = 0805a00601
check "test master quits" tm_quit
check "test master with term 3 starts" tm_start -T 3
check "slave fences off the term-3 master" wait_log "$S" \
	'holds term 3 but term 5 was seen: stale master fenced off' 15
check "its hello names term 5" \
	grep -q '^hello slave-house boot=[0-9a-f]* term=5 ' "$T"
check "the stale master sees the slave leave" wait_log "$T" '^offline ' 5
check "no device list reached the stale master" \
	test "$(count_log "$T" '^announce ')" -eq 0
check "slave registered with the first three test masters only" \
	test "$(count_log "$S" 'registered with master')" -eq 3
kill -TERM "$(pid_of slave-house)"
check "slave stops" wait_log "$S" 'slave slave-house stopped' 5
fenced=$(count_log "$S" 'stale master fenced off')
start hd-slave slave-house
check "restarted slave reads term 5 back and fences again" \
	wait_count "$S" 'stale master fenced off' $((fenced + 1)) 15
check "restarted slave never registered either" \
	test "$(count_log "$S" 'registered with master')" -eq 3
finish
