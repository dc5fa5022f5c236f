#!/usr/bin/env bash
# Value history and tokens' last use survive a restart of the master
# (docs/OPERATIONS.md): a clean stop (SIGTERM) saves them to
# <state-dir>/history and <state-dir>/tokens, a new master answers the
# same points; a master killed with -9 after that save still has them;
# a damaged history file is refused with a warning, not fatal.
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
H=history/slave-house/sim:temp/temperature
points() { hcurl -H "$S" "$A/$H?range=hour" | grep -o '"points":.*'; }
# kept P1 P2: P2 has every minute of P1 with at least its readings (the
# slave reports again after a restart, adding to the current minute)
kept() {
	python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.loads("{" + x) for x in sys.argv[1:3])
nb = {p["t_ms"]: p for p in b["points"]}
ok = a["points"] and all(p["t_ms"] in nb and nb[p["t_ms"]]["n"] >= p["n"] and
    nb[p["t_ms"]]["min"] <= p["min"] and nb[p["t_ms"]]["max"] >= p["max"]
    for p in a["points"])
sys.exit(0 if ok else 1)
PY
}
used() { hcurl -H "$S" "$A/tokens" | grep -Eo '"last_used_ms":[0-9]+'; }
# restart: start the master again and wait until it serves
restart() {
	start hd-master master
	wait_count "$M" 'web process [0-9]+ serving' "$1" 15 && login admin "$pw"
}
login admin "$pw"
tok=$(hcurl -H "$S" -H "$C" -H 'Content-Type: application/json' \
	--data-binary '{"name":"app"}' "$A/tokens" | grep -Eo 'hdt_[0-9a-f]{64}')
check "a token is made" test -n "$tok"
check "the token is used" test "$(hcurl -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $tok" "$A/sites")" = 200
sleep 5		# a reading every 300 ms: more than a reconnect brings
kill "$(pid_of slave-house)"	# no more readings: the history stands still
check "the slave is gone" wait_log "$M" 'slave slave-house .* offline' 10
p1=$(points)
u1=$(used)
check "history points before the restart" grep -q '"n":[1-9]' <<<"$p1"
check "the token's last use is known" grep -Eq '"last_used_ms":[1-9]' <<<"$u1"

# 1. A clean stop saves; the next master loads
kill -TERM "$(pid_of master)"
check "the master stops" wait_log "$M" 'master .* stopped' 10
check "the history file is written" test "$(head -c 4 "$work/state-master/history")" = HDH1
check "mode 0600" test "$(stat -c %a "$work/state-master/history")" = 600
sleep 1
restart 2
check "the new master loads the history" wait_log "$M" 'history: [1-9][0-9]* values loaded from' 5
check "the token's last use survived" test "$u1" = "$(used)"
start hd-slave slave-house	# the master knows a node's devices from it
check "the slave is back" wait_count "$M" 'slave slave-house announced' 2 15
check "every point from before the restart, with its readings" kept "$p1" "$(points)"

# 2. kill -9 after that save: the saved points are still there
kill -KILL "$(pid_of master)"
sleep 1
restart 3
check "after kill -9: the history of the last save is loaded" \
	wait_count "$M" 'history: [1-9][0-9]* values loaded from' 2 5
check "the slave is back" wait_count "$M" 'slave slave-house announced' 3 40
check "... with the points" kept "$p1" "$(points)"

# 3. A damaged file: a warning, an empty history, the master runs
kill -TERM "$(pid_of master)"
wait_count "$M" 'master .* stopped' 3 10
# Fixed bytes, not random ones: they certainly lack the HDH1 magic.
printf 'not a history file %081d' 0 >"$work/state-master/history"
restart 4
check "a damaged history file is refused with a warning" \
	wait_log "$M" 'history: .*history: not a history file, ignored' 5
check "the slave is back" wait_count "$M" 'slave slave-house announced' 4 40
check "... nothing is loaded from it" \
	test "$(count_log "$M" 'history: [0-9]+ values loaded')" = 2
check "... and the master serves history again" \
	grep -q '"points":\[{' <<<"$(points)"
finish
