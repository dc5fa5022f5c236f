#!/usr/bin/env bash
# The auth worker (issue 6): scrypt runs in hd-auth, a child of the
# master, so a burst of logins never stalls the master's loop. During a
# burst of parallel logins from many addresses the master keeps answering
# calls that do not hash, promptly, and keeps its slave online; the
# queue refuses what does not fit with 503 and Retry-After; right
# passwords still log in; a kill -9 of the worker, or of the web process
# under pending logins, is survived.
. "$(dirname "$0")/lib.sh"

# Short heartbeats: a master loop blocked for a second would lose its
# slave (40 production hashes in a row take about that here).
web_master "heartbeat 250" "timeout 1000"
A=$U/api/v1
slave_conf slave-house House "$port" "$G" "heartbeat 250" "timeout 1000"
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
start hd-master master
start hd-slave slave-house
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10
check "the auth worker starts" wait_log "$M" 'auth worker [0-9]+ started' 10
check "the slave is online" wait_log "$M" 'slave slave-house .*online' 15
apid=$(grep -Eo 'auth worker [0-9]+ started' "$M" | tail -1 | awk '{print $3}')
check "the worker is a child of the master" \
	test "$(ps -o ppid= -p "$apid" | tr -d ' ')" = "$(pid_of master)"
check "... named hd-auth, run as -A" grep -q -- '-A' "/proc/$apid/cmdline"
if [ "$(id -u)" = 0 ]; then
	check "... as the web user, chrooted" eval \
		'test "$(ps -o user= -p "$apid")" = nobody && test "$(readlink /proc/$apid/root)" = "$work/state-master/web-root"'
fi
if [ "$BUILD" = build ]; then
	check "... under seccomp" grep -Eq '^Seccomp:[[:space:]]+2' "/proc/$apid/status"
fi

# login NAME PASSWORD SOURCE OUT: the status in OUT.code, the headers
# in OUT.head, the body in OUT.body
login() {
	curl -s --cacert "$G/ca.crt" --max-time 30 --interface "$3" \
		-D "$4.head" -o "$4.body" -w '%{http_code}\n' \
		-H 'Content-Type: application/json' \
		--data-binary "{\"name\":\"$1\",\"password\":\"$2\"}" "$A/login" >"$4.code"
}
check "a right password logs in" \
	eval 'login admin "$pw" 127.0.0.1 "$work/first"; grep -q "^200" "$work/first.code"'

# 1. A burst: 40 wrong passwords (unknown names, each from its own
# address: throttling is per name and per address) and 8 right ones.
N=40
mkdir -p "$work/burst"
offline0=$(count_log "$M" 'slave-house .*offline')
burst() {
	local i
	for i in $(seq 1 $N); do
		login "nobody$i" "wrong password $i" "127.0.1.$i" "$work/burst/w$i" &
		[ $((i % 5)) -eq 0 ] &&
			login admin "$pw" "127.0.2.$i" "$work/burst/r$i" &
	done
	wait
}
burst &
bpid=$!
# Meanwhile: calls the master answers without hashing (no session: 401),
# timed from request sent to first byte (the master's share).
: >"$work/probe"
sleep 0.05
while kill -0 "$bpid" 2>/dev/null; do
	curl -s --cacert "$G/ca.crt" --max-time 10 --interface 127.0.3.1 \
		-o /dev/null -w '%{http_code} %{time_pretransfer} %{time_starttransfer}\n' \
		"$A/session" >>"$work/probe"
done
wait "$bpid"
tally() { cat "$@" | sort | uniq -c | tr -s ' \n' ' '; }
echo "# wrong passwords:$(tally "$work"/burst/w*.code); right ones:$(tally "$work"/burst/r*.code)"
check "every wrong password is answered 401 or 503" \
	test "$(cat "$work"/burst/w*.code | grep -Ecx '401|503')" -eq "$N"
check "some were checked (401)" grep -qx 401 "$work"/burst/w*.code
check "the queue refused some at once (503)" \
	grep -qx 503 "$work"/burst/*.code
b=$(grep -lx 503 "$work"/burst/*.code | head -1)
b=${b%.code}
check "a 503 says busy, with Retry-After: 1" \
	eval 'grep -q "\"busy\"" "$b.body" && grep -qi "^retry-after: 1" "$b.head"'
check "right passwords during the burst: 200 or 503, never 401" \
	test "$(cat "$work"/burst/r*.code | grep -Ecx '200|503')" -eq $((N / 5))
check "the master logs the refusals" wait_log "$M" 'no room to check its password' 2
np=$(grep -c '^401 ' "$work/probe")
worst=$(awk '$1 == 401 { d = $3 - $2; if (d > m) m = d } END { printf "%.3f", m }' "$work/probe")
echo "# $np calls answered during the burst, the slowest in $worst s"
check "the master answered calls during the burst ($np)" test "$np" -ge 3
check "... each within 0.5 s (slowest $worst s)" \
	awk -v w="$worst" 'BEGIN { exit !(w < 0.5) }'
check "the slave stayed online" \
	test "$(count_log "$M" 'slave-house .*offline')" -eq "$offline0"
check "a right password logs in after the burst" \
	eval 'login admin "$pw" 127.0.0.1 "$work/after"; grep -q "^200" "$work/after.code"'

# 2. kill -9 of the worker: logged, restarted, logins work again.
kill -9 "$apid"
check "the master logs the worker's death" \
	wait_log "$M" "auth worker $apid: .*restart in" 5
check "and starts a new one" \
	wait_log "$M" "auth worker [0-9]+ started" 5
check "a new worker process runs" \
	eval 'sleep 0.5; test "$(grep -Eo "auth worker [0-9]+ started" "$M" | tail -1 | awk "{print \$3}")" != "$apid"'
check "the master is still running" kill -0 "$(pid_of master)"
check "a right password logs in again" \
	eval 'login admin "$pw" 127.0.0.1 "$work/again"; grep -q "^200" "$work/again.code"'

# 3. A stopped worker (a hash that never ends): the master still answers.
# Then the web process is killed under the pending logins: their answers
# are dropped when the worker goes on, and a new web process serves.
apid=$(grep -Eo 'auth worker [0-9]+ started' "$M" | tail -1 | awk '{print $3}')
kill -STOP "$apid"
for i in $(seq 1 4); do
	login "late$i" "wrong password" "127.0.4.$i" "$work/late$i" &
done
sleep 1
check "with the worker stopped, the master answers at once" eval \
	'test "$(curl -s --cacert "$G/ca.crt" --max-time 2 -o /dev/null -w "%{http_code}" "$A/session")" = 401'
kill -9 "$(web_pid)"
wait_log "$M" 'web process [0-9]+ killed by signal 9' 5
kill -CONT "$apid"
wait
check "answers for the dead web process are dropped" \
	wait_log "$M" 'an answer for a web process gone since, dropped' 10
check "a new web process serves" \
	wait_count "$M" 'web process [0-9]+ serving' 2 10
check "and logs in" \
	eval 'login admin "$pw" 127.0.0.1 "$work/web2"; grep -q "^200" "$work/web2.code"'
check "the slave is still online" \
	test "$(count_log "$M" 'slave-house .*offline')" -eq "$offline0"
finish
