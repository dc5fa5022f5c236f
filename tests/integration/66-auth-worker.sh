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
spid=$(ps -o ppid= -p "$apid" | tr -d ' ')
check "the worker is a child of the master's spawner" \
	test "$(ps -o ppid= -p "$spid" | tr -d ' ')" = "$(pid_of master)"
check "... named hd-auth, run as -A" grep -q -- '-A' "/proc/$apid/cmdline"
if [ "$(id -u)" = 0 ]; then
	check "... as the web user, chrooted" eval \
		'test "$(ps -o user= -p "$apid")" = nobody && test "$(readlink /proc/$apid/root)" = "$work/state-master/web-root"'
fi
check "... holding one socket (its socketpair), no listener, no loop" eval \
	'test "$(ls -l /proc/$apid/fd | grep -c socket:)" -eq 1 && ! ls -l /proc/$apid/fd | grep -q eventpoll'
if [ "$BUILD" = build ]; then
	check "... under seccomp" grep -Eq '^Seccomp:[[:space:]]+2' "/proc/$apid/status"
fi

# login NAME PASSWORD SOURCE OUT: the status in OUT.code, the headers
# in OUT.head, the body in OUT.body
login() {
	curl -s --cacert "$G/ca.crt" --max-time 30 --interface "$3" \
		-D "$4.head" -o "$4.body" -w '%{http_code}\n' \
		-H 'Content-Type: application/json' \
		--data-binary "{\"name\":\"$1\",\"password\":\"$2\"}" \
		"$A/login" >"$4.code"
}
check "a right password logs in" \
	eval 'login admin "$pw" 127.0.0.1 "$work/first"; grep -q "^200" "$work/first.code"'

# 1. A burst: 40 wrong passwords (unknown names, each from its own
# address: throttling is per name and per address) and 8 right ones, sent
# at once on connections opened beforehand (so the web process's TLS
# handshakes do not blur the measure). Meanwhile, on a keep-alive
# connection, calls the master answers without hashing (no session: 401),
# each timed from request to answer. A master that hashed in its loop
# would answer them only after the whole burst's hashing.
N=40
cat >"$work/burst.py" <<'PY'
import json, socket, ssl, sys, threading, time
port, ca, pw, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False

def connect(src):
    s = socket.create_connection(("127.0.0.1", port), 10, (src, 0))
    return ctx.wrap_socket(s, server_hostname="127.0.0.1")

def answer(c):	# (status, headers, body) of one HTTP/1.1 answer
    data = b""
    while b"\r\n\r\n" not in data:
        data += c.recv(4096) or sys.exit("closed")
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    hdrs = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip()
            for l in lines[1:]}
    while len(body) < int(hdrs.get("content-length", 0)):
        body += c.recv(4096) or sys.exit("closed")
    return int(lines[0].split()[1]), hdrs, body.decode()

def post(c, path, obj):
    b = json.dumps(obj).encode()
    c.sendall(b"POST /api/v1/%s HTTP/1.1\r\nHost: x\r\nContent-Type: "
              b"application/json\r\nContent-Length: %d\r\n\r\n%s"
              % (path.encode(), len(b), b))

logins = []
for i in range(1, n + 1):
    logins.append(("wrong", connect("127.0.1.%d" % i),
                   {"name": "nobody%d" % i, "password": "wrong password %d" % i}))
    if i % 5 == 0:
        logins.append(("right", connect("127.0.2.%d" % i),
                       {"name": "admin", "password": pw}))
probe = connect("127.0.3.1")
results = []
def wait(kind, c):
    st, h, b = answer(c)
    results.append((kind, st, h.get("retry-after", "-"),
                    json.loads(b).get("error", "-")))
threads = [threading.Thread(target=wait, args=(k, c)) for k, c, _ in logins]
for k, c, body in logins:
    post(c, "login", body)
for t in threads:
    t.start()
worst, calls = 0.0, 0
while any(t.is_alive() for t in threads) or calls < 3:
    t0 = time.monotonic()
    probe.sendall(b"GET /api/v1/session HTTP/1.1\r\nHost: x\r\n\r\n")
    st, _, _ = answer(probe)
    d = time.monotonic() - t0
    if st == 401:
        calls += 1
        worst = max(worst, d)
    time.sleep(0.01)
for t in threads:
    t.join()
for r in results:
    print("answer %s %d %s %s" % r)
print("probe %d %.3f" % (calls, worst))
PY
offline0=$(count_log "$M" 'slave-house .*offline')
python3 "$work/burst.py" "$wport" "$G/ca.crt" "$pw" "$N" >"$work/burst.out" 2>"$work/burst.err"
tally() { awk -v k="$1" '$2 == k { print $3, $5 }' "$work/burst.out" | sort | uniq -c | tr -s ' \n' ' '; }
echo "# wrong passwords:$(tally wrong); right ones:$(tally right)"
check "the burst ran to its end" grep -q '^probe' "$work/burst.out"
check "every wrong password is answered 401 or 503" \
	test "$(grep -Ec '^answer wrong (401|503) ' "$work/burst.out")" -eq "$N"
check "some were checked (401)" grep -q '^answer wrong 401 ' "$work/burst.out"
check "the queue refused some at once: 503 busy, Retry-After: 1" \
	grep -q '^answer [a-z]* 503 1 busy$' "$work/burst.out"
check "every 503 is busy, with Retry-After: 1" \
	test -z "$(grep '^answer [a-z]* 503 ' "$work/burst.out" | grep -v ' 503 1 busy$')"
check "right passwords during the burst: 200 or 503, never 401" \
	test "$(grep -Ec '^answer right (200|503) ' "$work/burst.out")" -eq $((N / 5))
check "the master logs the refusals" wait_log "$M" 'refused: its password cannot be checked now \(503\)' 2
read -r _ np worst < <(grep '^probe' "$work/burst.out")
echo "# ${np:-0} calls answered during the burst, the slowest in ${worst:-?} s"
check "the master answered calls during the burst (${np:-0})" test "${np:-0}" -ge 3
check "... each within 0.3 s (slowest ${worst:-?} s)" \
	awk -v w="${worst:-9}" 'BEGIN { exit !(w < 0.3) }'
check "the slave stayed online" \
	test "$(count_log "$M" 'slave-house .*offline')" -eq "$offline0"
check "a right password logs in after the burst" \
	eval 'login admin "$pw" 127.0.0.1 "$work/after"; grep -q "^200" "$work/after.code"'

# 2. kill -9 of the worker: logged, restarted, logins work again.
started=$(count_log "$M" 'auth worker [0-9]+ started')
kill -9 "$apid"
check "the master logs the worker's death" \
	wait_log "$M" "auth worker $apid: .*restart in" 5
check "and starts a new one" \
	wait_count "$M" 'auth worker [0-9]+ started' $((started + 1)) 5
check "a new worker process runs" \
	eval 'test "$(grep -Eo "auth worker [0-9]+ started" "$M" | tail -1 | awk "{print \$3}")" != "$apid"'
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

# 4. A worker that stops answering: after AUTH_TIMEOUT_MS (5 s) it is
# replaced, and the login waiting for it gets 503 unavailable.
apid=$(grep -Eo 'auth worker [0-9]+ started' "$M" | tail -1 | awk '{print $3}')
started=$(count_log "$M" 'auth worker [0-9]+ started')
kill -STOP "$apid"
login admin "$pw" 127.0.0.1 "$work/stalled" &
check "a stalled worker is killed after 5 s" \
	wait_log "$M" "auth worker $apid: no answer in 5000 ms; 1 pending hash failed" 15
wait
check "the login waiting for it: 503 unavailable, Retry-After: 1" eval \
	'grep -q "^503" "$work/stalled.code" && grep -q "\"unavailable\"" "$work/stalled.body" && grep -qi "^retry-after: 1" "$work/stalled.head"'
# Killed by the spawner at the master's request: not at once.
check "the stalled worker is gone" eval 'for i in $(seq 50); do
	! kill -0 "$apid" 2>/dev/null && break; sleep 0.1; done
	! kill -0 "$apid" 2>/dev/null'
check "logins work with its successor" eval \
	'wait_count "$M" "auth worker [0-9]+ started" $((started + 1)) 5 &&
	login admin "$pw" 127.0.0.1 "$work/last"; grep -q "^200" "$work/last.code"'
check "the slave is still online" \
	test "$(count_log "$M" 'slave-house .*offline')" -eq "$offline0"
finish
