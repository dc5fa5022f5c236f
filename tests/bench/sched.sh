#!/usr/bin/env bash
# make bench: the scheduler's memory and CPU (docs/SCHEDULER.md#figures).
# A master with no slaves runs without events, with the shipped example
# (deploy/examples/home.events, about 150 events) and with 10,000
# generated events (daily times, sun offsets, thresholds on sensors,
# changes, delays), each for BENCH_SCHED_SECONDS (60) of quiet time.
# Prints the parse and start-up time (hd-master -n), the master's heap and
# PSS over the no-events baseline, bytes per event, and CPU per minute
# while it waits. No pass/fail: figures only.
set -eu
cd "$(dirname "$0")/../.."
top=$PWD
bin=$top/${BUILD:-build}
secs=${BENCH_SCHED_SECONDS:-60}
work=$(mktemp -d /tmp/hd-bench-sched.XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

pki/hd-pki init "$work/pki" --name Bench >/dev/null
pki/hd-pki issue "$work/pki" master master >/dev/null

# 10,000 events over 40 slaves, 25 devices each: a mix of what homes do.
python3 - "$work/big.events" <<'PY'
import random, sys
r = random.Random(8)
out = ["mode house { home away vacation }"]
for i in range(10000):
    node = "slave-%02d" % (i % 40)
    dev = "%s/zw:%d" % (node, r.randrange(25))
    k = i % 5
    if k == 0:
        when = "at %02d:%02d on weekdays" % (r.randrange(24), r.randrange(60))
    elif k == 1:
        when = "sunset %s %d min" % (r.choice("+-"), r.randrange(90))
    elif k == 2:
        when = "%s.celsius below %d hysteresis 1 for %d min" % (
            dev, r.randrange(15), 1 + r.randrange(30))
    elif k == 3:
        when = "%s.open changes to on" % dev
    else:
        when = "every %d min" % (60 + r.randrange(600))
    out.append("event e%05d {\n\twhen %s\n\tif house is home\n"
               "\tdo set %s.on = on\n\t   wait %d min restart\n"
               "\t   set %s.on = off\n}" % (i, when, dev, 1 + r.randrange(60), dev))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY

conf() {	# conf NAME [EVENTS]
	{
		echo "listen 127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
		echo "ca pki/ca.crt"
		echo "cert pki/master.crt"
		echo "key pki/master.key"
		echo "state-dir state-$1"
		echo "latitude 47.37"
		echo "longitude 8.54"
		if [ -n "${2:-}" ]; then echo "events $2"; fi
	} >"$work/$1.conf"
}
cpu_ns() { awk '{print $1 + 0}' "/proc/$1/schedstat"; }
mem() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/smaps_rollup"; }
heap() { awk '/\[heap\]/ {h=1; next} /^[0-9a-f]+-/ {h=0} h && /^Rss:/ {print $2}' "/proc/$1/smaps"; }

# run NAME: start, wait for the schedule, measure; prints one line.
base_heap=0 base_pss=0
run() {
	local n=$1 nev=$2 t0 c0 c1 h p ms
	/usr/bin/time -o "$work/$n.time" -f '%e %U' "$bin/hd-master" -n \
		-f "$work/$n.conf" >/dev/null 2>&1
	ms=$(tail -1 "$work/$n.time")
	"$bin/hd-master" -f "$work/$n.conf" 2>"$work/$n.log" &
	pid=$!
	for _ in $(seq 100); do
		grep -q "started, term" "$work/$n.log" && break
		sleep 0.1
	done
	sleep 1
	c0=$(cpu_ns "$pid")
	sleep "$secs"
	c1=$(cpu_ns "$pid")
	h=$(heap "$pid")
	p=$(mem "$pid" Pss)
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=""
	if [ "$nev" -eq 0 ]; then
		base_heap=$h base_pss=$p
	fi
	awk -v n="$n" -v e="$nev" -v ms="$ms" -v h="$h" -v p="$p" \
	    -v bh="$base_heap" -v bp="$base_pss" -v c="$((c1 - c0))" -v s="$secs" \
	    -v f="$(grep -c ' fired ' "$work/$n.log" || true)" 'BEGIN {
		split(ms, t, " ");
		printf "%-9s %6d %10s %10s %9d %9d %11s %10.2f %6d\n", n, e, t[1], t[2], h, p,
		    e ? sprintf("%.0f", (h - bh) * 1024 / e) : "-", c / 1e6 * 60 / s, f
	}'
}

conf none
conf example "$top/deploy/examples/home.events"
conf big "$work/big.events"
nex=$(grep -c '^event ' "$top"/deploy/examples/*.events | awk -F: '{s += $2} END {print s}')
echo "scheduler bench: a master without slaves, $secs s of waiting each (BENCH_SCHED_SECONDS)"
printf '%-9s %6s %10s %10s %9s %9s %11s %10s %6s\n' run events "-n wall s" "-n user s" \
	"heap kB" "PSS kB" "B/event" "CPU ms/min" fired
run none 0
run example "$nex"
run big 10000
echo "heap: the master's [heap] mapping (RSS); B/event: heap over the no-events run per event;"
echo "CPU: the master's CPU per minute while waiting (its heartbeats and timer included)."
