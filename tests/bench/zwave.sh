#!/usr/bin/env bash
# make bench: a 40-node Z-Wave network (hd-zwsim -7 -n 36: a switch, a
# binary sensor, a dimmer, a multilevel sensor and 36 more switches) behind
# a real hd-slave, with hd-testmaster as its master. Prints:
#  - first start (every node interviewed, then polled): ms from the slave's
#    start to the controller ready, to every node's classes known, and to
#    a value of every one of the 40 devices reported to the master;
#  - a restart (the node table known: no interview, only the paced polls):
#    ms from the start to every value known again;
#  - command latency (write to the master's result line), p50 and p99 of
#    BENCH_ZW_CMDS (50) commands sent one after another while that
#    restart's 40 polls run, and as many on the idle network, and their
#    ratio.
# Figures, not pass/fail: the simulator answers at once, so they measure
# our pacing and queueing, not a radio.
. "$(dirname "$0")/../integration/lib.sh"

cmds=${BENCH_ZW_CMDS:-50}
gen_pki
port=$(free_port)
P=$work/pki/good
S=$work/slave-house.log
T=$work/tm.out
trap '' PIPE

mkfifo "$work/tm.in"
zwsim -7 -n 36
"$bin/hd-testmaster" -a "127.0.0.1:$port" -c "$P/master.crt" \
	-k "$P/master.key" -C "$P/ca.crt" -r "$P/crl.pem" -H 500 -u \
	<"$work/tm.in" >"$T" 2>"$work/tm.log" &
pids+=($!)
disown $!
exec 4>"$work/tm.in"
check "test master listens" wait_log "$T" '^listening ' 5
slave_conf slave-house House "$port" "$P" "simulate no" \
	"zwave port $(cat "$work/pty")"

# ms since $1 (an $EPOCHREALTIME) until the log $2 has $3 lines matching
# $4, or until the master has a report of $3 distinct devices ($4 = -),
# both past byte $5 of the log: polled every 10 ms, 120 s at most.
since() {
	python3 - "$@" <<'PY'
import re, sys, time
t0, log, want, rx = float(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
skip = int(sys.argv[5]) if len(sys.argv) > 5 else 0
end = time.time() + 120
while time.time() < end:
    try:
        text = open(log, errors="replace").read()[skip:]
    except OSError:
        text = ""
    if rx == "-":
        n = len(set(re.findall(r"^report (zw:\d+:0) ", text, re.M)))
    else:
        n = len(re.findall(rx, text, re.M))
    if n >= want:
        print(int((time.time() - t0) * 1000))
        sys.exit(0)
    time.sleep(0.01)
print("timeout")
sys.exit(1)
PY
}

# N commands to zw:7:0, one after another: each latency from the write to
# its result line; prints "p50 p99 failed" in ms.
latency() {
	python3 - "$1" "$2" "$work/tm.in" "$T" <<'PY'
import sys, time
n, first, fifo, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
w = open(fifo, "w")
r = open(out, errors="replace")
r.seek(0, 2)
lat, failed, buf = [], 0, ""
for i in range(n):
    cid = first + i
    t = time.monotonic()
    w.write("cmd %d zw:7:0 on %s\n" % (cid, "true" if i % 2 == 0 else "false"))
    w.flush()
    end = t + 30
    done = False
    while time.monotonic() < end and not done:
        buf += r.read()
        for line in buf.split("\n")[:-1]:
            if line.startswith("result %d " % cid):
                done = True
                if " OK " not in line + " ":
                    failed += 1
        buf = buf.split("\n")[-1] if not done else ""
        if not done:
            time.sleep(0.001)
    lat.append((time.monotonic() - t) * 1000)
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print("%.1f %.1f %d" % (p(0.5), p(0.99), failed))
PY
}

t0=$EPOCHREALTIME
start hd-slave slave-house
ready=$(since "$t0" "$S" 1 'zwave: controller ready')
classes=$(since "$t0" "$S" 40 'zwave: node [0-9]+: [0-9]+ command classes')
values=$(since "$t0" "$T" 40 -)
check "first start: all 40 devices report a value" test "$values" != timeout
echo "# zwave bench: 40 nodes, first start: controller ready ${ready} ms," \
	"every node's classes ${classes} ms, a value of every device ${values} ms"

# Restart: no interview, the state polls only; commands meanwhile.
kill -TERM "$(pid_of slave-house)"
check "slave stopped" wait_log "$S" 'slave slave-house stopped' 10
off=$(stat -c %s "$T")
t0=$EPOCHREALTIME
start hd-slave slave-house
since "$t0" "$T" 40 - "$off" >"$work/repoll" &
repoll=$!
check "restarted controller ready" \
	wait_count "$S" 'zwave: controller ready' 2 30
read -r p50b p99b failb < <(latency "$cmds" 1000)
wait "$repoll"
echo "# zwave bench: restart (node table known, 40 paced polls): a value" \
	"of every device $(cat "$work/repoll") ms after the start"
echo "# zwave bench: $cmds commands to a switch from the controller ready" \
	"on, while the polls run: p50 ${p50b} ms, p99 ${p99b} ms, ${failb}" \
	"not OK"
check "commands during the polls all OK" test "$failb" -eq 0
check "every device reported again after the restart" \
	test "$(cat "$work/repoll")" != timeout
read -r p50i p99i faili < <(latency "$cmds" 2000)
check "commands on the idle network all OK" test "$faili" -eq 0
echo "# zwave bench: idle network: $cmds commands: p50 ${p50i} ms," \
	"p99 ${p99i} ms; during polls / idle: p50 x$(python3 -c \
	"print(round($p50b / max($p50i, 0.1), 2))"), p99 x$(python3 -c \
	"print(round($p99b / max($p99i, 0.1), 2))")"
exec 3>&- 4>&-
finish
